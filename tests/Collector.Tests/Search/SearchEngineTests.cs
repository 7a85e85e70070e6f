using Collector.Search;
using TestSupport;

namespace Collector.Tests.Search;

/// <summary>The search engine on real files in a temp directory (plain, rotated and gzip'd), without HTTP.</summary>
public sealed class SearchEngineTests
{
    [Fact]
    public void ABackwardSearchReturnsEveryMatchNewestFirstAcrossPlainAndGzipFiles()
    {
        using var logs = StoredLogs.CreateThreeFiles();
        var result = logs.Engine.Search(Request("{pod=\"pod-1\"}", limit: 100_000, backward: true), default);

        var expected = logs.Lines.Where(l => l.Pod == "pod-1").Select(l => l.Line).Reverse().ToList();
        Assert.Equal(expected, result.Entries.Select(e => e.Line).ToList());
        Assert.Null(result.Next);
        Assert.Equal(3, result.Stats.Files);
    }

    [Fact]
    public void TheIndexRulesOutBlocksOfOtherPodsWithoutChangingTheResult()
    {
        using var logs = StoredLogs.CreateThreeFiles();
        var result = logs.Engine.Search(Request("{pod=\"pod-2\"}", limit: 100_000, backward: false), default);

        Assert.Equal(logs.Lines.Where(l => l.Pod == "pod-2").Select(l => l.Line).ToList(), result.Entries.Select(e => e.Line).ToList());
        Assert.InRange(result.Stats.BlocksSkipped, 1, result.Stats.Blocks - 1);
        Assert.True(result.Stats.BytesSkippedInGzip > 0, "the gzip file's blocks before pod-2 are decompressed only to get past them");
    }

    [Theory]
    [InlineData(true, 7)]
    [InlineData(false, 7)]
    [InlineData(true, 250)]
    [InlineData(false, 250)]
    public void PagingWithCursorsVisitsEveryMatchExactlyOnceInOrder(bool backward, int limit)
    {
        using var logs = StoredLogs.CreateThreeFiles();
        var pages = new List<string>();
        SearchPosition? cursor = null;
        for (int page = 0; page < 10_000; page++)
        {
            var result = logs.Engine.Search(Request("{} |= \"needle\"", limit, backward) with { Cursor = cursor }, default);
            Assert.True(result.Entries.Count <= limit);
            pages.AddRange(result.Entries.Select(e => e.Line));
            cursor = result.Next;
            if (cursor is null)
            {
                break;
            }
        }

        var expected = logs.Lines.Where(l => l.Line.EndsWith(" needle", StringComparison.Ordinal)).Select(l => l.Line).ToList();
        if (backward)
        {
            expected.Reverse();
        }

        Assert.Equal(expected, pages);
    }

    [Fact]
    public void TheTimeRangeIsHalfOpen()
    {
        using var logs = StoredLogs.CreateThreeFiles();
        long from = logs.Lines[2500].TimeNs, to = logs.Lines[4500].TimeNs;
        var result = logs.Engine.Search(new SearchRequest(Query("{}"), from, to, 100_000, Backward: false), default);

        Assert.Equal(logs.Lines.Skip(2500).Take(2000).Select(l => l.Line).ToList(), result.Entries.Select(e => e.Line).ToList());
    }

    [Fact]
    public void EntriesCarryTheLabelsAndTimeOfTheirLine()
    {
        using var logs = StoredLogs.CreateThreeFiles(perFile: 10, podRun: 5);
        var entry = Assert.Single(logs.Engine.Search(Request("{} |= \"line 000029\"", limit: 10, backward: true), default).Entries);

        Assert.Equal(["ns", "pod-1", "main", "node-1", "app", "err", ""], entry.Labels);
        Assert.Equal(logs.Lines[29].TimeNs, entry.TimeNs);
    }

    [Fact]
    public void ACursorIntoTheMiddleOfALineIsRefused()
    {
        using var logs = StoredLogs.CreateThreeFiles(perFile: 100);
        var first = logs.Engine.Search(Request("{}", limit: 1, backward: false), default);
        var next = first.Next!.Value;

        var forged = next with { Offset = next.Offset + 3 };
        Assert.Throws<CursorException>(() => logs.Engine.Search(Request("{}", 1, false) with { Cursor = forged }, default));
        var pastTheEnd = Request("{}", 1, false) with { Cursor = next with { Offset = long.MaxValue } };
        Assert.Throws<CursorException>(() => logs.Engine.Search(pastTheEnd, default));
    }

    [Fact]
    public void TheTailSeamFollowsTheWritersFileIntoMessages1WhenItRotates()
    {
        using var logs = StoredLogs.Create();
        logs.Write(string.Empty, Enumerable.Range(0, 20).Select(_ => logs.NextLine("pod-0")));
        long end = new FileInfo(logs.PathOf(string.Empty)).Length;

        var (before, noHistory) = logs.Engine.TailSeam(end, rotated: () => false);
        Assert.False(noHistory);
        Assert.Equal(end, before!.Value.Offset);

        // Rotation renames the file; the seam names it by content, so it is found as .1.
        File.Move(logs.PathOf(string.Empty), logs.PathOf(".1"));
        logs.Write(string.Empty, [logs.NextLine("pod-0")]);
        var (after, _) = logs.Engine.TailSeam(end, rotated: () => true);
        Assert.Equal(before, after);

        // History stops at the seam: the line written after it is not part of it.
        var history = logs.Engine.Search(Request("{}", 100, backward: true) with { Until = after }, default);
        Assert.Equal(logs.Lines.Take(20).Select(l => l.Line).Reverse().ToList(), history.Entries.Select(e => e.Line).ToList());
    }

    [Fact]
    public void AnEmptyCurrentFileWithNothingRotatedMeansNoHistory()
    {
        using var logs = StoredLogs.Create();
        var (until, noHistory) = logs.Engine.TailSeam(0, rotated: () => false);
        Assert.Null(until);
        Assert.True(noHistory);
    }

    [Fact]
    public void LabelValuesComeFromTheBlocksInTheTimeRangeOnly()
    {
        using var logs = StoredLogs.Create();
        logs.Write(".2.gz", Enumerable.Range(0, 50).Select(_ => logs.NextLine("early")));
        logs.Write(string.Empty, Enumerable.Range(0, 50).Select(_ => logs.NextLine("late")));

        var late = logs.Engine.CollectLabelValues(logs.Lines[50].TimeNs, long.MaxValue, default);
        Assert.Equal(["late"], late[Collector.Storage.LogLabel.Pod].Order(StringComparer.Ordinal));
        var all = logs.Engine.CollectLabelValues(long.MinValue, long.MaxValue, default);
        Assert.Equal(["early", "late"], all[Collector.Storage.LogLabel.Pod].Order(StringComparer.Ordinal));
        Assert.Equal(["debug", "err", "info", "warning"], all[Collector.Storage.LogLabel.Severity].Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SearchesVolumeCountsAndLabelLookupsRunOnTheGatesLowPriorityThreads()
    {
        using var logs = StoredLogs.CreateThreeFiles(perFile: 100);
        string? thread = await logs.Gate.RunAsync(() => Thread.CurrentThread.Name, default);
        Assert.StartsWith("search-", thread, StringComparison.Ordinal);

        // While every reader is busy, the next reads wait for one (checked over a quiet period once the readers run).
        using var release = new ManualResetEventSlim();
        int running = 0;
        var busy = Enumerable.Range(0, ReadGate.Readers)
            .Select(_ => logs.Gate.RunAsync(
                () => Interlocked.Increment(ref running) > 0 && release.Wait(TimeSpan.FromSeconds(30)), default))
            .ToList();
        await Wait.UntilAsync(() => Volatile.Read(ref running) == ReadGate.Readers, "every reader busy");
        var search = logs.Engine.SearchAsync(Request("{}", 1, backward: true), default);
        var volume = logs.Volume.CountAsync(Query("{}"), StoredLogs.StartNs, StoredLogs.StartNs + 86_400_000_000_000L, 3_600_000_000_000L, default);
        var labels = logs.Engine.LabelValuesAsync(long.MinValue, long.MaxValue, default);
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.False(search.IsCompleted || volume.IsCompleted || labels.IsCompleted, "a read ran past the gate while every reader was busy");

        release.Set();
        await Task.WhenAll(busy);
        Assert.Single((await search).Entries);
        Assert.Equal(300, SumAll((await volume).Counts));
        Assert.NotEmpty((await labels)[Collector.Storage.LogLabel.Pod]);
    }

    private static long SumAll(long[,] counts) => counts.Cast<long>().Sum();

    private static LogQuery Query(string text) => QueryParser.Parse(text);

    private static SearchRequest Request(string query, int limit, bool backward) =>
        new(Query(query), long.MinValue, long.MaxValue, limit, backward);
}
