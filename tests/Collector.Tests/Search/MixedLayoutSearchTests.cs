using Collector.Search;
using Collector.Tests.Api;
using TestSupport;

namespace Collector.Tests.Search;

/// <summary>
/// A directory after an upgrade: <c>messages.2.gz</c> in the older layout, <c>messages.1</c> with both layouts line by
/// line, <c>messages</c> message-first. Search, volume and the HTTP API read all of them alike.
/// </summary>
public sealed class MixedLayoutSearchTests
{
    private static readonly string[] Queries =
    [
        "{pod=\"pod-1\"}", "{namespace=\"ns\"} |= \"needle\"", "{container=\"main\", severity=\"err\"}",
        "{pod=~\"pod-[02]\"} != \"needle\"", "{host=\"node-1\", app=\"app\", severity=~\"warn.*\"}",
    ];

    [Fact]
    public void TheSearchEngineFindsTheSameLinesInEitherLayoutAndInAFileHoldingBoth()
    {
        using var logs = Mixed();
        foreach (string text in Queries)
        {
            var query = QueryParser.Parse(text);
            var result = logs.Engine.Search(new SearchRequest(query, long.MinValue, long.MaxValue, 100_000, Backward: false), default);

            var expected = logs.Lines.Where(l => Expected(text, l)).ToList();
            Assert.NotEmpty(expected);
            Assert.Equal(expected.Select(l => l.Line), result.Entries.Select(e => e.Line));
            Assert.Equal(expected.Select(l => l.Text), result.Entries.Select(e => e.Message));
            Assert.Equal(expected.Select(l => l.TimeNs), result.Entries.Select(e => e.TimeNs));
            Assert.All(result.Entries, e => Assert.Equal(["ns", expected.First(l => l.Line == e.Line).Pod, "main", "node-1", "app"], e.Labels[..5]));
        }

        // From the index alone, and read line by line (a line filter).
        foreach (string text in (string[])["{pod=\"pod-2\"}", "{pod=\"pod-2\"} |= \"line\""])
        {
            const long Hour = 3_600_000_000_000L;
            var volume = logs.Volume.Count(QueryParser.Parse(text), StoredLogs.StartNs, StoredLogs.StartNs + (24 * Hour), Hour, default);
            long[] perSeverity = Enumerable.Range(0, volume.Counts.GetLength(0))
                .Select(s => Enumerable.Range(0, volume.Counts.GetLength(1)).Sum(b => volume.Counts[s, b])).ToArray();
            Assert.Equal(logs.Lines.Count(l => l.Pod == "pod-2"), perSeverity.Sum());
            Assert.Equal(logs.Lines.Count(l => l.Pod == "pod-2" && l.Severity == "err"), perSeverity[3]);
        }
    }

    [Fact]
    public async Task TheApiAnswersTheSameFromBothLayoutsWithEachLinesMessage()
    {
        using var logs = Mixed();
        await using var collector = await RunningCollector.StartAsync(logs.Options.File, token: null);
        using var api = new ApiClient(collector.Http);
        foreach (string text in Queries)
        {
            var (status, body, _) = await api.GetJsonAsync(ApiClient.Url(
                "/api/v1/query_range",
                ("query", text),
                ("start", StoredLogs.StartNs.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("end", (StoredLogs.StartNs + 86_400_000_000_000L).ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("limit", "5000"),
                ("direction", "forward")));
            Assert.Equal(System.Net.HttpStatusCode.OK, status);
            var values = body.GetProperty("data").GetProperty("result").EnumerateArray()
                .SelectMany(s => s.GetProperty("values").EnumerateArray())
                .Select(v => (Line: v[1].GetString()!, Message: v[2].GetProperty("message").GetString()!))
                .OrderBy(v => v.Line, StringComparer.Ordinal).ToList();

            var expected = logs.Lines.Where(l => Expected(text, l)).Select(l => (l.Line, Message: l.Text))
                .OrderBy(v => v.Line, StringComparer.Ordinal).ToList();
            Assert.Equal(expected, values);
        }
    }

    /// <summary>Three files of 900 lines; in <c>messages.1</c> every other line is message-first.</summary>
    private static StoredLogs Mixed([System.Runtime.CompilerServices.CallerMemberName] string name = "test")
    {
        var logs = StoredLogs.Create(name);
        logs.Write(".2.gz", Enumerable.Range(0, 900).Select(i => logs.NextLine($"pod-{i % 3}", messageFirst: false)));
        logs.Write(".1", Enumerable.Range(0, 900).Select(i => logs.NextLine($"pod-{i % 3}", messageFirst: i % 2 == 0)));
        logs.Write(string.Empty, Enumerable.Range(0, 900).Select(i => logs.NextLine($"pod-{i % 3}", messageFirst: true)));
        Assert.Contains(logs.Lines, l => l.Line.Contains('\t', StringComparison.Ordinal));
        Assert.Contains(logs.Lines, l => !l.Line.Contains('\t', StringComparison.Ordinal));
        return logs;
    }

    /// <summary>The queries above, worked out from what the test wrote (not from the line text).</summary>
    private static bool Expected(string query, StoredTestLine line) => query switch
    {
        "{pod=\"pod-1\"}" => line.Pod == "pod-1",
        "{namespace=\"ns\"} |= \"needle\"" => line.Text.Contains("needle", StringComparison.Ordinal),
        "{container=\"main\", severity=\"err\"}" => line.Severity == "err",
        "{pod=~\"pod-[02]\"} != \"needle\"" => line.Pod is "pod-0" or "pod-2" && !line.Text.Contains("needle", StringComparison.Ordinal),
        _ => line.Severity == "warning",
    };
}
