using System.Globalization;
using Collector.Search.Metrics;
using Collector.Storage;
using Collector.Storage.Index;
using Collector.Tests.Api.Loki;

namespace Collector.Tests.Search;

/// <summary>
/// Label-only metric queries counted from the index's per-block counts (reading only the blocks a window's edge cuts)
/// give what a brute-force evaluation over the written lines gives, at many steps and boundaries.
/// </summary>
public sealed class IndexedMetricTests
{
    private const long Second = 1_000_000_000L;
    private const long Minute = 60 * Second;

    // Range, step: overlapping windows, windows that tile, windows with gaps, a window as long as a few blocks.
    public static TheoryData<string, bool> Queries => new()
    {
        { "sum by (namespace) (count_over_time({namespace=~\".+\"}[{R}]))", true },
        { "count_over_time({pod=\"pod-03\"}[{R}])", true },
        { "rate({pod=\"pod-07\"}[{R}])", true },
        { "rate({pod=\"pod-05\"}[{R}])", false },
        { "sum by (level) (count_over_time({namespace=\"ns-1\"}[{R}]))", true },
        { "sum(rate({}[{R}]))", true },
        { "sum by (pod, severity) (count_over_time({pod=~\"pod-0[1-4]\", severity<=\"warning\"}[{R}]))", true },
        { "sum without (pod, detected_level) (count_over_time({pod=~\"pod-1.*\"}[{R}]))", true },
        { "count_over_time({namespace=\"ns-2\"}[{R}])", false },
        { "sum by (pod) (count_over_time({level=\"error\"}[{R}]))", false },
        { "count_over_time({host=\"gw\"}[{R}])", true },
        { "sum by (namespace, level) (rate({namespace=~\"ns-[12]\"}[{R}] offset 150s))", true },
    };

    [Theory]
    [MemberData(nameof(Queries))]
    public void CountsFromTheIndexEqualABruteForceCountOverTheLines(string template, bool fromIndex)
    {
        using var logs = StoredLogs.Create();
        var known = Write(logs);
        var indexed = new MetricEvaluator(logs.Store, logs.Gate);
        var scanned = new MetricEvaluator(logs.Store, logs.Gate) { UseIndexCounts = false };
        long first = known[0].TimeNs, last = known[^1].TimeNs;
        long counted = 0, read = 0;
        foreach (var (range, step, from) in (ReadOnlySpan<(long, long, long)>)[
            (5 * Minute, Minute, first - (3 * Minute)),
            (10 * Minute, 10 * Minute, first + (17 * Second)),
            (Minute, 5 * Minute, first),
            (30 * Minute, 7 * Minute, first + (5 * Minute)),
            (20 * Minute, 90 * Second, last - (40 * Minute))])
        {
            string query = template.Replace("{R}", $"{range / Second}s", StringComparison.Ordinal);
            long end = Math.Min(last + (4 * Minute), from + (80 * step));
            var times = Enumerable.Range(0, (int)(((end - from) / step) + 1)).Select(k => from + (k * step)).ToArray();
            var node = MetricParser.Parse(query);
            var expected = Expected(known, node, times);

            var result = indexed.Evaluate(node, from, end, step, default);
            Assert.Equal(times, result.TimesNs);
            BruteForce.Equal(expected, AsDictionary(result));
            BruteForce.Equal(expected, AsDictionary(scanned.Evaluate(node, from, end, step, default)));
            Assert.NotEmpty(expected);
            counted += result.BlocksCounted;
            read += result.BlocksRead;
        }

        if (fromIndex)
        {
            Assert.True(counted > 0, "some blocks are counted from the index alone");
            Assert.True(read > 0, "blocks a window's edge cuts are read");
        }
        else
        {
            Assert.Equal(0, counted);
        }
    }

    [Fact]
    public void ASavedIndexKeepsWhichValuesGoTogether()
    {
        var index = new FileIndex(new FileKey(10, 42));
        var builder = new IndexBuilder(index, 0);
        builder.AddLines(System.Text.Encoding.UTF8.GetBytes(
            "2026-11-23T00:00:00Z node-1 app[7]: local0.info - [k8s@32473 namespace=\"a\" pod=\"p\" container=\"c1\"] x\n"
            + "2026-11-23T00:00:01Z node-1 app[7]: local0.err - [k8s@32473 namespace=\"a\" pod=\"p\" container=\"c2\"] y\n"
            + "2026-11-23T00:00:02Z node-2 app[7]: local0.err - [k8s@32473 namespace=\"a\" pod=\"q\" container=\"c1\"] z\n"));
        builder.Finish();

        var loaded = FileIndex.Deserialize(index.Serialize(), new FileKey(10, 42));
        foreach (var labels in (LabelValues[])[index.Labels, loaded.Labels])
        {
            int p = IdOf(labels, LogLabel.Pod, "p"), q = IdOf(labels, LogLabel.Pod, "q");
            Assert.Equal("a", labels.ValueOf(labels.CompanionOf(p, LogLabel.Namespace)));
            Assert.Equal("node-1", labels.ValueOf(labels.CompanionOf(p, LogLabel.Host)));
            Assert.Equal(LabelValues.Several, labels.CompanionOf(p, LogLabel.Container));
            Assert.Equal(LabelValues.Several, labels.CompanionOf(p, LogLabel.Severity));
            Assert.Equal("c1", labels.ValueOf(labels.CompanionOf(q, LogLabel.Container)));
            Assert.Equal("node-2", labels.ValueOf(labels.CompanionOf(q, LogLabel.Host)));
            Assert.Equal(LabelValues.Several, labels.CompanionOf(IdOf(labels, LogLabel.Namespace, "a"), LogLabel.Pod));
        }
    }

    /// <summary>
    /// A value's companions are fixed labels only: where the series keep a pod label (<c>l.KEY</c>, kept by a plain
    /// range function and by <c>sum by</c> that names it) the blocks are read, and the series are the ones the lines
    /// give; a sum that drops the pod labels is still counted from the index.
    /// </summary>
    [Fact]
    public void SeriesThatKeepAPodLabelAreCountedFromTheLines()
    {
        using var logs = StoredLogs.Create();
        var lines = new List<StoredTestLine>();
        for (int i = 0; i < 3000; i++)
        {
            long time = StoredLogs.StartNs + (i * Second);
            string app = i % 3 == 0 ? "cart" : "checkout";
            string stamp = DateTimeOffset.FromUnixTimeMilliseconds(time / 1_000_000)
                .ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
            lines.Add(new StoredTestLine(i, time, "p", "info", $"{stamp} node-1 main[7]: local0.info - [k8s@32473 namespace=\"a\" "
                + $"pod=\"p\" container=\"main\" l.app.kubernetes.io/name=\"{app}\"] message {i} {new string('m', 300)}"));
        }

        logs.Write(string.Empty, lines);
        var indexed = new MetricEvaluator(logs.Store, logs.Gate);
        var scanned = new MetricEvaluator(logs.Store, logs.Gate) { UseIndexCounts = false };
        long from = StoredLogs.StartNs + (10 * Minute), end = StoredLogs.StartNs + (50 * Minute);
        foreach (var (query, keepsPodLabel) in (ReadOnlySpan<(string, bool)>)[
            ("sum by (app_kubernetes_io_name) (count_over_time({namespace=\"a\"}[10m]))", true),
            ("count_over_time({pod=\"p\"}[10m])", true),
            ("sum by (pod) (count_over_time({pod=\"p\"}[10m]))", false)])
        {
            var node = MetricParser.Parse(query);
            var result = indexed.Evaluate(node, from, end, 10 * Minute, default);
            var expected = AsDictionary(scanned.Evaluate(node, from, end, 10 * Minute, default));
            BruteForce.Equal(expected, AsDictionary(result));
            Assert.Equal(keepsPodLabel ? 2 : 1, expected.Count);
            Assert.True(keepsPodLabel ? result.BlocksCounted == 0 : result.BlocksCounted > 0, query);
        }
    }

    private static int IdOf(LabelValues labels, LogLabel label, string value) =>
        Enumerable.Range(0, labels.Count).Single(i => labels.LabelOf(i) == label && labels.ValueOf(i) == value);

    /// <summary>
    /// Three files (the oldest gzip'd) of lines from 16 pods in 4 namespaces, about 110 lines (90 s) per index block:
    /// a third of the lines share the previous line's timestamp; pod-05 writes from two containers; a few lines spell
    /// warning "warn"; some lines come from a router without Kubernetes labels.
    /// </summary>
    private static List<KnownLine> Write(StoredLogs logs)
    {
        var random = new Random(17);
        var known = new List<KnownLine>();
        long time = StoredLogs.StartNs;
        string[] severities = ["info", "info", "err", "warning", "debug", "notice"];
        foreach (string suffix in (string[])[".2.gz", ".1", string.Empty])
        {
            var lines = new List<StoredTestLine>();
            for (int i = 0; i < 2500; i++)
            {
                time += random.Next(3) == 0 ? 0 : random.Next(1, 1600) * 1_000_000L;
                int pod = random.Next(17);
                string severity = random.Next(200) == 0 ? "warn" : severities[random.Next(severities.Length)];
                string stamp = DateTimeOffset.FromUnixTimeMilliseconds(time / 1_000_000)
                    .ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
                var labels = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["severity"] = severity };
                string line;
                if (pod == 16)
                {
                    labels["host"] = "gw";
                    labels["app"] = "router";
                    line = $"{stamp} gw router[9]: local0.{severity} - - route {i} {new string('r', 420)}";
                }
                else
                {
                    string container = pod == 5 && i % 2 == 0 ? "sidecar" : "main";
                    labels["namespace"] = $"ns-{pod % 4}";
                    labels["pod"] = $"pod-{pod:00}";
                    labels["container"] = container;
                    labels["host"] = $"node-{pod % 3}";
                    labels["app"] = $"app-{pod % 5}";
                    line = $"{stamp} node-{pod % 3} app-{pod % 5}[7]: local0.{severity} - [k8s@32473 namespace=\"ns-{pod % 4}\" "
                        + $"pod=\"pod-{pod:00}\" container=\"{container}\"] message {i} {new string('m', 400)}";
                }

                labels["level"] = labels["detected_level"] = severity switch
                {
                    "err" => "error",
                    "warning" or "warn" => "warn",
                    "notice" => "info",
                    _ => severity,
                };
                lines.Add(new StoredTestLine(known.Count, time, labels.GetValueOrDefault("pod", ""), severity, line));
                known.Add(new KnownLine(time, labels, line.Length, known.Count));
            }

            logs.Write(suffix, lines);
        }

        return known;
    }

    /// <summary>The brute-force answer for the shapes the theory uses.</summary>
    private static Dictionary<string, Dictionary<int, double>> Expected(List<KnownLine> known, MetricNode node, long[] times)
    {
        var (range, aggregate) = node switch
        {
            RangeNode r => (r, (AggregateNode?)null),
            AggregateNode { Inner: RangeNode r } a => (r, a),
            _ => throw new ArgumentOutOfRangeException(nameof(node)),
        };
        string function = range.Function == RangeFunction.Rate ? "rate" : "count_over_time";
        string[]? by = aggregate is null ? null : aggregate.Labels?.ToArray() ?? [];
        // A window at t with an offset is the window at t − offset without one.
        var shifted = times.Select(t => t - range.OffsetNs).ToArray();
        return BruteForce.Evaluate(known, Selector(range.Query.Text), function, range.RangeNs, shifted,
            aggregate is null ? null : "sum", by, aggregate?.Without ?? false);
    }

    /// <summary>The selectors of the theory, written out.</summary>
    private static Func<KnownLine, bool> Selector(string selector)
    {
        string Label(KnownLine l, string name) => l.Labels.GetValueOrDefault(name, string.Empty);
        return selector.Trim() switch
        {
            "{namespace=~\".+\"}" => l => Label(l, "namespace").Length > 0,
            "{pod=\"pod-03\"}" => l => Label(l, "pod") == "pod-03",
            "{pod=\"pod-07\"}" => l => Label(l, "pod") == "pod-07",
            "{pod=\"pod-05\"}" => l => Label(l, "pod") == "pod-05",
            "{namespace=\"ns-1\"}" => l => Label(l, "namespace") == "ns-1",
            "{namespace=~\"ns-[12]\"}" => l => Label(l, "namespace") is "ns-1" or "ns-2",
            "{}" => _ => true,
            "{pod=~\"pod-0[1-4]\", severity<=\"warning\"}" =>
                l => Label(l, "pod") is "pod-01" or "pod-02" or "pod-03" or "pod-04" && Label(l, "severity") is "err" or "warning" or "warn",
            "{pod=~\"pod-1.*\"}" => l => Label(l, "pod").StartsWith("pod-1", StringComparison.Ordinal),
            "{namespace=\"ns-2\"}" => l => Label(l, "namespace") == "ns-2",
            "{level=\"error\"}" => l => Label(l, "severity") == "err",
            "{host=\"gw\"}" => l => Label(l, "host") == "gw",
            _ => throw new ArgumentOutOfRangeException(nameof(selector), selector),
        };
    }

    private static Dictionary<string, Dictionary<int, double>> AsDictionary(MetricResult result)
    {
        var series = new Dictionary<string, Dictionary<int, double>>(StringComparer.Ordinal);
        foreach (var s in result.Series)
        {
            string key = BruteForce.Key(s.Labels);
            Assert.False(series.ContainsKey(key), $"series {key} twice");
            series[key] = Enumerable.Range(0, s.Values.Length).Where(k => s.Values[k].HasValue).ToDictionary(k => k, k => s.Values[k]!.Value);
            Assert.NotEmpty(series[key]);
        }

        return series;
    }
}
