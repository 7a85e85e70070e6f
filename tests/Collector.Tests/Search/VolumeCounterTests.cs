using Collector.Search;
using Collector.Storage;

namespace Collector.Tests.Search;

/// <summary>
/// Volume counts on real files, from the index where it can decide and by reading lines where it cannot.
/// </summary>
public sealed class VolumeCounterTests
{
    private const long Minute = 60_000_000_000L;

    [Theory]
    [InlineData("{}", "pod-0 pod-1 pod-2", null, true)]
    [InlineData("{pod=\"pod-1\"}", "pod-1", null, true)]
    [InlineData("{pod=~\"pod-[02]\", severity<=\"warning\"}", "pod-0 pod-2", "err warning", true)]
    [InlineData("{pod=\"pod-1\"} |= \"needle\"", "pod-1", null, false)]
    [InlineData("{pod=\"pod-1\", container=\"main\"}", "pod-1", null, false)]
    public void CountsPerStepAndSeverityAreThoseOfTheMatchingLines(string query, string pods, string? severities, bool fromIndex)
    {
        using var logs = StoredLogs.CreateThreeFiles();
        long start = StoredLogs.StartNs + (7 * Minute), end = StoredLogs.StartNs + (140 * Minute), step = 30 * Minute;
        var result = logs.Volume.Count(QueryParser.Parse(query), start, end, step, default);

        var expected = new long[VolumeCounter.Severities, result.Counts.GetLength(1)];
        foreach (var line in logs.Lines)
        {
            if (line.TimeNs >= start && line.TimeNs < end && pods.Split(' ').Contains(line.Pod)
                && (severities is null || severities.Split(' ').Contains(line.Severity))
                && (!query.Contains("needle", StringComparison.Ordinal) || line.Line.EndsWith(" needle", StringComparison.Ordinal)))
            {
                expected[LogLabels.SeverityCode(line.Severity.AsSpan()), (line.TimeNs - start) / step]++;
            }
        }

        Assert.Equal(expected, result.Counts);
        if (fromIndex)
        {
            Assert.True(result.BlocksCounted > 0, "some blocks are counted from the index alone");
        }
        else
        {
            Assert.Equal(0, result.BlocksCounted);
            Assert.True(result.BlocksScanned > 0 && result.LinesScanned > 0);
        }
    }

    [Fact]
    public void ACountCanBeCancelled()
    {
        using var logs = StoredLogs.CreateThreeFiles(perFile: 100);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var query = QueryParser.Parse("{} |= \"needle\"");
        Assert.ThrowsAny<OperationCanceledException>(
            () => logs.Volume.Count(query, long.MinValue / 4, long.MaxValue / 4, long.MaxValue / 4, cancelled.Token));
    }
}
