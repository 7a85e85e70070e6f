using Collector.Search;
using Collector.Storage;
using Collector.Storage.Index;

namespace Collector.Tests.Search;

/// <summary>
/// The workload and the pod labels the Forwarder adds are labels of the query language, the index, the label lists and
/// the volume counts, read alike from both layouts and from files with and without them (docs/kubernetes-metadata.md).
/// </summary>
public sealed class PodLabelSearchTests
{
    private static readonly string[] Queries =
    [
        "{workload=\"Deployment/payments\"}",
        "{app_kubernetes_io_name=\"checkout\"}",
        "{label_app=\"pay\"}",
        "{k8s_app=\"pay \\\"v2\\\" ]\\\\\"}",
        "{app_kubernetes_io_name!=\"checkout\"}",
        "{app_kubernetes_io_name=~\"pay.*|check.*\", severity=\"err\"}",
        "{app_kubernetes_io_instance=\"\"}",
        "{workload=~\"(Deployment|CronJob)/.*\"} |= \"needle\"",
        "{app=\"pay\"}",
        "{no_such_label=\"x\"}",
    ];

    [Fact]
    public void QueriesByWorkloadAndPodLabelsReturnExactlyTheirLinesFromEveryLayout()
    {
        using var logs = StoredLogs.Create();
        var lines = KubeLabelLogs.WriteMixed(logs);
        foreach (string text in Queries)
        {
            var result = logs.Engine.Search(Request(text), default);
            var expected = lines.Where(l => Expected(text, l)).ToList();
            Assert.True(
                expected.Select(l => l.Line).SequenceEqual(result.Entries.Select(e => e.Line)),
                $"{text}: expected {expected.Count} lines, got {result.Entries.Count}");
            foreach (var (entry, line) in result.Entries.Zip(expected))
            {
                Assert.Equal(ExpectedLabels(line), LogLabels.Pairs(entry.Labels).ToList());
            }
        }
    }

    [Fact]
    public void ThePodLabelAppDoesNotTakeTheNameOfTheSyslogAppName()
    {
        using var logs = StoredLogs.Create();
        var lines = KubeLabelLogs.WriteMixed(logs, perFile: 50);
        var app = logs.Engine.Search(Request("{app=\"app\"}"), default);
        Assert.Equal(lines.Select(l => l.Line), app.Entries.Select(e => e.Line));
        var values = logs.Engine.CollectLabelValues(long.MinValue, long.MaxValue, default);
        Assert.Equal(["app"], values[LogLabel.App]);
        Assert.Equal(["pay"], values.PodLabels["label_app"]);
    }

    [Fact]
    public void TheIndexAnswersAWorkloadQueryWithoutReadingBlocksWithoutIt()
    {
        using var logs = StoredLogs.Create();
        var lines = new List<KubeLine>();
        int n = 0;
        foreach (var (pod, meta, count) in (List<(string, PodMeta?, int)>)
            [
                ("web-1", null, 2000), ("payments-1", PodMeta.Payments, 300), ("checkout-1", PodMeta.Checkout, 2000),
                ("payments-2", PodMeta.Payments, 300),
            ])
        {
            lines.AddRange(Enumerable.Range(0, count).Select(_ => KubeLabelLogs.Line(n, pod, meta, messageFirst: n++ % 3 != 0)));
        }

        logs.Write(string.Empty, lines.Select(l => l.Stored));

        foreach (var (text, matches) in (List<(string, Func<KubeLine, bool>)>)
            [
                ("{workload=\"Deployment/payments\"}", l => l.Meta == PodMeta.Payments),
                ("{app_kubernetes_io_instance=\"checkout-eu\"}", l => l.Meta == PodMeta.Checkout),
                ("{label_app=~\"p.y\"}", l => l.Meta == PodMeta.Payments),
            ])
        {
            var result = logs.Engine.Search(Request(text), default);
            Assert.Equal(lines.Where(matches).Select(l => l.Line), result.Entries.Select(e => e.Line));

            // The blocks read are exactly those holding a matching line (worked out from the lines' offsets).
            using var file = Assert.Single(logs.Store.OpenAll());
            var blocks = file.Blocks;
            Assert.True(blocks.Length > 10, $"{blocks.Length} blocks");
            var holding = new HashSet<long>();
            long offset = 0;
            foreach (var line in lines)
            {
                if (matches(line))
                {
                    holding.Add(blocks.Single(b => b.Offset <= offset && offset < b.End).Offset);
                }

                offset += System.Text.Encoding.UTF8.GetByteCount(line.Line) + 1;
            }

            Assert.Equal(blocks.Length, result.Stats.Blocks);
            Assert.Equal(holding.Count, result.Stats.Blocks - result.Stats.BlocksSkipped);
            Assert.All(blocks, b => Assert.Equal(0, b.Overflow));
        }
    }

    [Fact]
    public void LabelValuesListTheWorkloadsAndEveryPodLabel()
    {
        using var logs = StoredLogs.Create();
        KubeLabelLogs.WriteMixed(logs);
        var values = logs.Engine.CollectLabelValues(long.MinValue, long.MaxValue, default);
        Assert.Equal(["CronJob/nightly", "Deployment/checkout", "Deployment/payments"], values[LogLabel.Workload].Order(StringComparer.Ordinal));
        Assert.Equal(
            ["app_kubernetes_io_instance", "app_kubernetes_io_name", "k8s_app", "label_app"],
            values.PodLabels.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["checkout", "nightly", "payments"], values.Of("app_kubernetes_io_name").Order(StringComparer.Ordinal));
        Assert.Equal(["pay \"v2\" ]\\"], values.Of("k8s_app"));
        Assert.Empty(values.Of("no_such_label"));
        Assert.Contains("workload", values.Names);
    }

    [Fact]
    public void VolumeCountsByAPodLabelAreExact()
    {
        using var logs = StoredLogs.Create();
        var lines = KubeLabelLogs.WriteMixed(logs);
        const long Hour = 3_600_000_000_000L;
        string[] queries = ["{app_kubernetes_io_name=\"checkout\"}", "{workload=\"CronJob/nightly\", severity=\"err\"}", "{k8s_app!=\"x\"}"];
        foreach (string text in queries)
        {
            var volume = logs.Volume.Count(QueryParser.Parse(text), StoredLogs.StartNs, StoredLogs.StartNs + (24 * Hour), Hour, default);
            var expected = lines.Where(l => Expected(text, l)).ToList();
            Assert.NotEmpty(expected);
            for (int s = 0; s < VolumeCounter.Severities; s++)
            {
                long counted = Enumerable.Range(0, volume.Counts.GetLength(1)).Sum(b => volume.Counts[s, b]);
                Assert.Equal(expected.Count(l => LogLabels.SeverityCode(l.Stored.Severity.AsSpan()) == s), counted);
            }
        }
    }

    [Fact]
    public void PodLabelValuesPastABlocksBoundAreStillFoundAndListed()
    {
        using var logs = StoredLogs.Create();

        // A value per line: more than a block records (short lines, several hundred per block).
        var meta = Enumerable.Range(0, 1200).Select(i => new PodMeta("Job/build", ("build", $"b{i}"))).ToList();
        var lines = meta.Select((m, i) => KubeLabelLogs.Line(i, "build-1", m, messageFirst: i % 2 == 0, text: "x")).ToList();
        logs.Write(string.Empty, lines.Select(l => l.Stored));
        using (var file = Assert.Single(logs.Store.OpenAll()))
        {
            Assert.Contains(file.Blocks, b => (b.Overflow & IndexBuilder.PodLabelOverflow) != 0);
            Assert.True(file.Blocks.Max(b => b.Lines) > IndexBuilder.MaxPodLabelValuesPerBlock);
        }

        foreach (int i in (int[])[0, 255, 256, 400, 1199])
        {
            var result = logs.Engine.Search(Request($"{{build=\"b{i}\"}}"), default);
            Assert.Equal([lines[i].Line], result.Entries.Select(e => e.Line));
        }

        var values = logs.Engine.CollectLabelValues(long.MinValue, long.MaxValue, default);
        Assert.Equal(Enumerable.Range(0, 1200).Select(i => $"b{i}").Order(StringComparer.Ordinal), values.Of("build").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void PodLabelNamesPastTheFilesBoundAreStillFoundAndListed()
    {
        using var logs = StoredLogs.Create();
        int names = LabelValues.MaxPodLabelNames + 6;
        var lines = Enumerable.Range(0, names * 4)
            .Select(i => KubeLabelLogs.Line(i, "p", new PodMeta(null, ($"key{i % names}", $"v{i / names}")), messageFirst: true, text: "x"))
            .ToList();
        logs.Write(string.Empty, lines.Select(l => l.Stored));
        using (var file = Assert.Single(logs.Store.OpenAll()))
        {
            Assert.Equal(LabelValues.MaxPodLabelNames, file.Index.Labels.PodLabelNameCount);
        }

        string last = $"key{names - 1}";
        var result = logs.Engine.Search(Request($"{{{last}=\"v3\"}}"), default);
        Assert.Equal([lines[(3 * names) + names - 1].Line], result.Entries.Select(e => e.Line));
        var values = logs.Engine.CollectLabelValues(long.MinValue, long.MaxValue, default);
        Assert.Equal(names, values.PodLabels.Count);
        Assert.Equal(["v0", "v1", "v2", "v3"], values.Of(last).Order(StringComparer.Ordinal));
    }

    private static SearchRequest Request(string query) => new(QueryParser.Parse(query), long.MinValue, long.MaxValue, 100_000, Backward: false);

    /// <summary>The labels the API shows for a line, worked out from what the test wrote.</summary>
    private static List<KeyValuePair<string, string>> ExpectedLabels(KubeLine line)
    {
        var labels = new List<KeyValuePair<string, string>>();
        if (line.HasIdentity)
        {
            labels.AddRange([new("namespace", "shop"), new("pod", line.Stored.Pod), new("container", "main")]);
        }

        labels.AddRange([new("host", "node-1"), new("app", "app"), new("severity", line.Stored.Severity)]);
        if (line.Meta?.Workload is { } workload)
        {
            labels.Add(new("workload", workload));
        }

        labels.AddRange((line.Meta?.Labels ?? []).Select(l => new KeyValuePair<string, string>(PodLabelName.Of("l." + l.Key)!, l.Value))
            .OrderBy(l => l.Key, StringComparer.Ordinal));
        return labels;
    }

    /// <summary>The queries above, worked out from what the test wrote (not from the line text).</summary>
    private static bool Expected(string query, KubeLine line)
    {
        string name = line.Meta?.Label("app_kubernetes_io_name") ?? string.Empty;
        return query switch
        {
            "{workload=\"Deployment/payments\"}" => line.Meta?.Workload == "Deployment/payments",
            "{app_kubernetes_io_name=\"checkout\"}" => name == "checkout",
            "{label_app=\"pay\"}" => line.Meta?.Label("label_app") == "pay",
            "{k8s_app=\"pay \\\"v2\\\" ]\\\\\"}" => line.Meta == PodMeta.Payments,
            "{app_kubernetes_io_name!=\"checkout\"}" => name != "checkout",
            "{app_kubernetes_io_name=~\"pay.*|check.*\", severity=\"err\"}" => name is "payments" or "checkout" && line.Stored.Severity == "err",
            "{app_kubernetes_io_instance=\"\"}" => line.Meta != PodMeta.Checkout,
            "{workload=~\"(Deployment|CronJob)/.*\"} |= \"needle\"" =>
                line.Meta?.Workload is not null && line.Stored.Text.Contains("needle", StringComparison.Ordinal),
            "{workload=\"CronJob/nightly\", severity=\"err\"}" => line.Meta == PodMeta.Nightly && line.Stored.Severity == "err",
            "{k8s_app!=\"x\"}" => true,
            "{app=\"pay\"}" or "{no_such_label=\"x\"}" => false,
            _ => throw new ArgumentException(query, nameof(query)),
        };
    }
}
