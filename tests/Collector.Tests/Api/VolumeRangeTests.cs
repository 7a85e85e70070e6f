using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using TestSupport;

namespace Collector.Tests.Api;

/// <summary>
/// <c>/api/v1/volume_range</c> against a brute-force count over the same stored lines: per step and severity, for
/// generated queries and steps, over the current file, messages.1 and gzip'd rotated files.
/// </summary>
public sealed class VolumeRangeTests
{
    private const int Messages = 6000;
    private static readonly string[] Steps = ["7m", "1h", "90", "13s", "2.5"];

    [Fact]
    public async Task CountsPerStepAndSeverityEqualABruteForceCountForGeneratedQueriesAndSteps()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir, "--max-file-size", "256KiB", "--max-files", "50");
        var logs = GeneratedLogs.Create(Messages);
        using (var client = await collector.ConnectAsync())
        {
            await GeneratedLogs.SendAsync(client.GetStream(), logs);
        }

        await Wait.UntilAsync(
            () => GeneratedLogs.CompressionSettled(collector.FilePath) && GeneratedLogs.ReadStoredLines(collector.FilePath).Count == Messages,
            $"{Messages} lines stored and rotated files compressed",
            TimeSpan.FromSeconds(60));
        Assert.True(File.Exists(collector.FilePath + ".3.gz"), "gzip'd rotated files exist");
        var stored = GeneratedLogs.ReadStoredLines(collector.FilePath);
        var records = stored.Select(l => logs[GeneratedLogs.SeqOf(l)]).ToList();

        var random = new Random(11);
        using var api = new ApiClient(collector.Http);
        int nonEmpty = 0;
        for (int q = 0; q < 60; q++)
        {
            var query = new RandomQuery(random);
            long min = ToNs(GeneratedLogs.Epoch.AddHours(-1)), span = 19 * 3600 * 1_000_000_000L;
            long start = q % 3 == 0 ? min : min + (long)(random.NextDouble() * span);
            long end = q % 3 == 0 ? min + span : start + (random.Next(1, 300) * 60 * 1_000_000_000L);
            string step = Steps[random.Next(Steps.Length)];
            long stepNs = (long)(decimal.Parse(step.TrimEnd('s', 'm', 'h'), CultureInfo.InvariantCulture) * 1_000_000_000m
                * (step.EndsWith('m') ? 60 : step.EndsWith('h') ? 3600 : 1));
            if ((end - start) / stepNs > 10_000)
            {
                step = "1h";
                stepNs = 3600 * 1_000_000_000L;
            }

            var expected = new SortedDictionary<string, long>(StringComparer.Ordinal);
            for (int i = 0; i < stored.Count; i++)
            {
                var r = records[i];
                if (r.TimeNs >= start && r.TimeNs < end && query.Matches(r, stored[i]))
                {
                    string key = $"{GeneratedLogs.SeverityNames[r.Severity]}@{ToSeconds(start + ((r.TimeNs - start) / stepNs * stepNs))}";
                    expected[key] = expected.GetValueOrDefault(key) + 1;
                }
            }

            nonEmpty += expected.Count > 0 ? 1 : 0;
            var (actual, _) = await VolumeAsync(api, query.Text, start, end, step);
            Assert.True(
                expected.SequenceEqual(actual),
                $"query {q}: {query.Text} start={start} end={end} step={step}\nexpected {Show(expected)}\nactual   {Show(actual)}");
        }

        Assert.True(nonEmpty > 20, $"only {nonEmpty} of 60 queries matched anything");
    }

    [Fact]
    public async Task BlocksOfOneSeverityInsideOneStepAreCountedFromTheIndexWithTheSameResult()
    {
        // Two namespaces alternating in runs of 500 lines, one severity per run: most blocks match whole or not at all.
        using var dir = TempDirectory.Create();
        var text = new StringBuilder();
        var epoch = new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
        var lines = new List<(long Ns, string Ns2, string Severity)>();
        for (int i = 0; i < 20_000; i++)
        {
            var time = epoch.AddMilliseconds(i * 150);
            string ns = (i / 500) % 2 == 0 ? "web" : "db";
            string severity = (i / 1000) % 3 == 0 ? "err" : "info";
            text.Append(
                CultureInfo.InvariantCulture,
                $"{time:yyyy-MM-dd'T'HH:mm:ss.fff'Z'} node-1 app[1]: user.{severity} - " +
                $"[k8s@32473 namespace=\"{ns}\" pod=\"{ns}-1\" container=\"main\"] line {i} {new string('x', 80)}\n");
            lines.Add((ToNs(time), ns, severity));
        }

        await File.WriteAllTextAsync(dir.Combine("messages"), text.ToString());
        await using var collector = await RunningCollector.StartAsync(dir);
        using var api = new ApiClient(collector.Http);
        long start = ToNs(epoch), end = ToNs(epoch.AddHours(1));
        (string Query, string Step, long StepNs)[] cases =
        [
            ("{namespace=\"web\"}", "10m", 600_000_000_000L),
            ("{}", "1m", 60_000_000_000L),
            ("{namespace!=\"db\", severity=\"err\"}", "5m", 300_000_000_000L),
        ];
        foreach (var (query, step, stepNs) in cases)
        {
            var expected = new SortedDictionary<string, long>(StringComparer.Ordinal);
            foreach (var (ns, lineNs, severity) in lines.Select(l => (l.Ns2, l.Ns, l.Severity)))
            {
                bool matches = query switch
                {
                    "{namespace=\"web\"}" => ns == "web",
                    "{}" => true,
                    _ => ns != "db" && severity == "err",
                };
                if (matches)
                {
                    string key = $"{severity}@{ToSeconds(start + ((lineNs - start) / stepNs * stepNs))}";
                    expected[key] = expected.GetValueOrDefault(key) + 1;
                }
            }

            var (actual, stats) = await VolumeAsync(api, query, start, end, step);
            Assert.True(expected.SequenceEqual(actual), $"{query} step={step}\nexpected {Show(expected)}\nactual   {Show(actual)}");
            Assert.True(stats.GetProperty("blocksCounted").GetInt64() > 0, $"{query}: some blocks counted from the index ({stats})");
        }
    }

    [Fact]
    public async Task InterleavedPodsAreCountedFromTheIndexPerValueAndSeverityWithTheSameResult()
    {
        // 40 pods in 4 namespaces and five severities, interleaved line by line as a node's containers are: every
        // pod is in most blocks, so only the counts per value and severity can spare reading them. Lines 10,000 to
        // 10,099 spell a severity "ixx", which buckets as info (as the raw field is read) but severity="info" does
        // not match: those few blocks must be read.
        using var dir = TempDirectory.Create();
        var text = new StringBuilder();
        var epoch = new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
        string[] severities = ["err", "warning", "info", "info", "debug"];
        var random = new Random(5);
        var lines = new List<(long Ns, int Pod, string Container, string Severity)>();
        for (int i = 0; i < 30_000; i++)
        {
            var time = epoch.AddMilliseconds(i * 100);
            int pod = random.Next(40);
            string container = pod % 5 == 0 ? "sidecar" : "main";
            string severity = i is >= 10_000 and < 10_100 && pod % 2 == 0 ? "ixx" : severities[random.Next(severities.Length)];
            text.Append(
                CultureInfo.InvariantCulture,
                $"{time:yyyy-MM-dd'T'HH:mm:ss.fff'Z'} node-1 app[1]: user.{severity} - " +
                $"[k8s@32473 namespace=\"ns-{pod % 4}\" pod=\"p-{pod}\" container=\"{container}\"] " +
                $"line {i} {new string('x', 60)}\n");
            lines.Add((ToNs(time), pod, container, severity));
        }

        await File.WriteAllTextAsync(dir.Combine("messages"), text.ToString());
        await using var collector = await RunningCollector.StartAsync(dir);
        using var api = new ApiClient(collector.Http);
        long start = ToNs(epoch), end = ToNs(epoch.AddHours(1));
        var queries = new (string Query, Func<(int Pod, string Container, string Severity), bool> Matches, bool Decided)[]
        {
            ("{pod=\"p-7\"}", l => l.Pod == 7, true),
            (
                "{pod=~\"p-1.*\", severity<=\"warning\"}",
                l => l.Pod.ToString(CultureInfo.InvariantCulture).StartsWith('1') && l.Severity is "err" or "warning",
                true),
            ("{namespace=\"ns-2\", severity!=\"debug\"}", l => l.Pod % 4 == 2 && l.Severity != "debug", true),
            ("{container!=\"main\"}", l => l.Container != "main", true),
            ("{severity=\"info\"}", l => l.Severity == "info", true),
            ("{pod=\"p-4\", severity=\"info\"}", l => l.Pod == 4 && l.Severity == "info", false),
            ("{pod=\"p-4\", container=\"main\"}", l => l.Pod == 4 && l.Container == "main", false),
        };
        foreach (var (query, matches, decided) in queries)
        {
            // A block holds about 54 s of lines: one within a 3-minute step is counted, one across a step
            // boundary read.
            foreach (var (step, stepNs) in new[] { ("10m", 600_000_000_000L), ("3m", 180_000_000_000L) })
            {
                var expected = new SortedDictionary<string, long>(StringComparer.Ordinal);
                foreach (var (lineNs, pod, container, severity) in lines)
                {
                    if (matches((pod, container, severity)))
                    {
                        string key = $"{(severity == "ixx" ? "info" : severity)}@{ToSeconds(start + ((lineNs - start) / stepNs * stepNs))}";
                        expected[key] = expected.GetValueOrDefault(key) + 1;
                    }
                }

                var (actual, stats) = await VolumeAsync(api, query, start, end, step);
                Assert.True(expected.SequenceEqual(actual), $"{query} step={step}\nexpected {Show(expected)}\nactual   {Show(actual)}");
                long counted = stats.GetProperty("blocksCounted").GetInt64(), scanned = stats.GetProperty("blocksScanned").GetInt64();
                if (decided)
                {
                    Assert.True(counted > 2 * scanned, $"{query} step={step}: most blocks counted from the index ({stats})");
                }
                else
                {
                    // Two labels (or the two spellings of info, in a few blocks) need the lines.
                    Assert.True(scanned > 0, $"{query} step={step}: blocks read ({stats})");
                }
            }
        }
    }

    [Fact]
    public async Task ABadStepOrQueryIsAProblemNamingIt()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);
        using var api = new ApiClient(collector.Http);
        var body = await api.ProblemAsync(ApiClient.Url("/api/v1/volume_range", ("query", "{}"), ("step", "soon")), HttpStatusCode.BadRequest);
        Assert.Contains("step", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        body = await api.ProblemAsync(
            ApiClient.Url(
                "/api/v1/volume_range", ("query", "{}"), ("start", "0"), ("end", "100000000000000"), ("step", "1s")),
            HttpStatusCode.BadRequest);
        Assert.Contains("step", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        body = await api.ProblemAsync(ApiClient.Url("/api/v1/volume_range", ("query", "{namespace=\"web\"")), HttpStatusCode.BadRequest);
        Assert.True(body.TryGetProperty("position", out _), $"a position: {body}");
    }

    private static async Task<(SortedDictionary<string, long> Counts, JsonElement Stats)> VolumeAsync(
        ApiClient api, string query, long start, long end, string step)
    {
        var (status, body, _) = await api.GetJsonAsync(ApiClient.Url(
            "/api/v1/volume_range",
            ("query", query),
            ("start", start.ToString(CultureInfo.InvariantCulture)),
            ("end", end.ToString(CultureInfo.InvariantCulture)),
            ("step", step)));
        Assert.True(status == HttpStatusCode.OK, $"{status}: {body}");
        var data = body.GetProperty("data");
        Assert.Equal("matrix", data.GetProperty("resultType").GetString());
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var series in data.GetProperty("result").EnumerateArray())
        {
            string severity = series.GetProperty("metric").TryGetProperty("severity", out var s) ? s.GetString()! : "";
            foreach (var value in series.GetProperty("values").EnumerateArray())
            {
                long count = long.Parse(value[1].GetString()!, CultureInfo.InvariantCulture);
                Assert.True(count > 0, "no empty buckets");
                counts[$"{severity}@{value[0].GetDecimal().ToString(CultureInfo.InvariantCulture)}"] = count;
            }
        }

        return (counts, data.GetProperty("stats"));
    }

    private static long ToNs(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.Ticks) * 100;

    private static string ToSeconds(long ns) => (ns / 1e9m).ToString(CultureInfo.InvariantCulture);

    private static string Show(SortedDictionary<string, long> counts) =>
        counts.Count > 40 ? $"{counts.Count} buckets, {counts.Values.Sum()} lines" : string.Join(' ', counts.Select(c => $"{c.Key}={c.Value}"));
}
