using System.Globalization;
using System.Text.Json;
using TestSupport;
using Xunit.Sdk;

namespace EndToEnd.Tests;

/// <summary>
/// A node's container logs, the real Forwarder process, the real Collector process: the whole pipeline on loopback.
/// </summary>
public sealed class ForwarderToCollectorTests
{
    private const int Files = 8;
    private const int LinesPerFile = 400;

    [Fact]
    public async Task EveryLineOfEightContainerLogsIsStoredOnceWithItsPodAndTimeAndCanBeSearched()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var logs = Enumerable.Range(0, Files)
            .Select(f => tree.AddContainer(
                Namespace(f),
                $"web-{f}-5d9f8c6b5d-x{f:D3}",
                f % 3 == 0 ? "side-car" : "app",
                f % 2 == 0 ? RuntimeFormat.Docker : RuntimeFormat.Cri))
            .ToArray();
        var expected = new List<string>();
        var perNamespace = new Dictionary<string, List<string>>();

        // Half the lines are there before the Forwarder starts (read from the start), half are appended while it runs.
        Append(logs, 0, LinesPerFile / 2, expected, perNamespace);
        await using var collector = await CollectorProcess.StartCommandAsync("dotnet", [Binaries.CollectorDll], dir.Combine("messages"));
        await using var forwarder = await ForwarderProcess.StartAsync(tree.ContainersGlob, [$"tcp://{collector.Tcp}"], dir.Combine("state"));
        Append(logs, LinesPerFile / 2, LinesPerFile, expected, perNamespace);

        await WaitForAsync(
            () => collector.ReadLines().Length >= expected.Count,
            $"{expected.Count} lines in the messages file",
            collector,
            forwarder,
            TimeSpan.FromSeconds(60));
        Assert.Equal(expected.Count, await forwarder.MetricAsync("kubesyslog_forwarder_shipped_lines_total"));
        AssertSameLines(expected, collector.ReadLines().Select(OriginElements.Strip).ToArray(), collector, forwarder);

        // Each file's messages account for its bytes without a hole or an overlap (docs/sources.md).
        Assert.Empty(OriginElements.Breaks(collector.ReadLines()));

        // The search API finds them by the labels the Forwarder put in the structured data.
        foreach (var (ns, lines) in perNamespace)
        {
            var found = await QueryAsync(collector, $"{{namespace=\"{ns}\"}}");
            AssertSameLines(lines, found, collector, forwarder);
        }

        var one = await QueryAsync(collector, $"{{namespace=\"payments\", pod=\"{logs[5].Pod}\", container=\"app\"}} |= \"f5-00123 \"");
        Assert.Equal([Stored(logs[5], 123, Text(5, 123), stderr: IsStderr(123))], one);

        // The API's message is the text as the container wrote it (a 40 KiB one included).
        var big = await QueryAsync(collector, $"{{pod=\"{logs[5].Pod}\"}} |= \"f5-00099 big\"", v => v[2].GetProperty("message").GetString()!);
        Assert.Equal([Text(5, 99)], big);
    }

    private static string Namespace(int file) => file < Files / 2 ? "shop" : "payments";

    private static bool IsStderr(int n) => n % 50 == 7;

    /// <summary>
    /// Line n of file f: mostly short with UTF-8, quotes and backslashes; every 100th one 40 KiB (three runtime
    /// pieces).
    /// </summary>
    private static string Text(int f, int n) => n % 100 == 99
        ? $"f{f}-{n:D5} big {new string('x', 40_000)} 日本語 ✓ end"
        : string.Create(CultureInfo.InvariantCulture, $"f{f}-{n:D5} GET /api/v1/items?id={n} 200 \"quoted\" \\ back ü [not sd]");

    private static void Append(ContainerLog[] logs, int from, int to, List<string> expected, Dictionary<string, List<string>> perNamespace)
    {
        for (int f = 0; f < logs.Length; f++)
        {
            for (int n = from; n < to; n++)
            {
                string text = Text(f, n);
                Assert.Equal(n, logs[f].Append(text, IsStderr(n)));
                string stored = Stored(logs[f], n, text, IsStderr(n));
                expected.Add(stored);
                (perNamespace.TryGetValue(logs[f].Namespace, out var list) ? list : perNamespace[logs[f].Namespace] = []).Add(stored);
            }
        }
    }

    /// <summary>
    /// The Collector's file format, message first: TIMESTAMP HOSTNAME NAMESPACE/POD/CONTAINER STREAM: MSG, a TAB, then
    /// TAG FACILITY.SEVERITY MSGID SD (docs/collector.md, "The messages file").
    /// </summary>
    private static string Stored(ContainerLog log, long n, string text, bool stderr) =>
        $"{ContainerLog.SyslogTimeOf(n)} {ForwarderProcess.Node} {log.Namespace}/{log.Pod}/{log.Container} " +
        $"{(stderr ? "stderr" : "stdout")}: {text}\t{log.Container}: user.{(stderr ? "err" : "info")} " +
        $"{(stderr ? "stderr" : "stdout")} " +
        $"[k8s@32473 namespace=\"{log.Namespace}\" pod=\"{log.Pod}\" container=\"{log.Container}\" " +
        $"container_id=\"{log.Id}\" pod_uid=\"{log.Uid}\"]";

    private static async Task<List<string>> QueryAsync(CollectorProcess collector, string query, Func<JsonElement, string>? select = null)
    {
        select ??= v => OriginElements.Strip(v[1].GetString()!);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var lines = new List<string>();
        string? cursor = null;
        do
        {
            // The lines' times are the runtime's, fixed on 2026-11-22 from 10:00: the default range (the last hour)
            // would miss them.
            string url = $"{collector.Http}api/v1/query_range?query={Uri.EscapeDataString(query)}"
                + "&start=2026-11-22T00:00:00Z&end=2026-11-23T00:00:00Z&limit=5000&direction=forward"
                + (cursor is null ? string.Empty : $"&cursor={Uri.EscapeDataString(cursor)}");
            using var response = await http.GetAsync(new Uri(url));
            string body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{url} answered {(int)response.StatusCode}: {body}");
            using var json = JsonDocument.Parse(body);
            var data = json.RootElement.GetProperty("data");
            foreach (var stream in data.GetProperty("result").EnumerateArray())
            {
                lines.AddRange(stream.GetProperty("values").EnumerateArray().Select(select));
            }

            cursor = data.TryGetProperty("cursor", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (cursor is not null);

        return lines;
    }

    private static void AssertSameLines(List<string> expected, IList<string> actual, CollectorProcess collector, ForwarderProcess forwarder)
    {
        var missing = expected.Except(actual).ToList();
        var unexpected = actual.Except(expected).ToList();
        int duplicates = actual.Count - actual.Distinct().Count();
        if (missing.Count > 0 || unexpected.Count > 0 || duplicates > 0 || expected.Count != actual.Count)
        {
            throw new XunitException(
                $"expected {expected.Count} lines, got {actual.Count}: {missing.Count} missing, {unexpected.Count} " +
                $"unexpected, {duplicates} duplicates.\n" +
                $"first missing:    {Shorten(missing.FirstOrDefault())}\nfirst unexpected: {Shorten(unexpected.FirstOrDefault())}\n" +
                $"Forwarder said:\n{forwarder.Output}\nCollector said:\n{collector.Output}");
        }
    }

    private static async Task WaitForAsync(
        Func<bool> condition,
        string what,
        CollectorProcess collector,
        ForwarderProcess forwarder,
        TimeSpan timeout)
    {
        try
        {
            await Wait.UntilAsync(condition, what, timeout);
        }
        catch (XunitException e)
        {
            throw new XunitException($"{e.Message}\nForwarder said:\n{forwarder.Output}\nCollector said:\n{collector.Output}");
        }
    }

    private static string? Shorten(string? line) => line is null || line.Length <= 300 ? line : $"{line[..300]}… ({line.Length} chars)";
}
