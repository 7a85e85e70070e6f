using Collector.Search;
using Collector.Storage.Index;
using Collector.Tests.Search;

namespace Collector.Tests.Storage;

/// <summary>
/// An index saved by the Collector before workload and pod labels (format KSIDX02) lacks them: it is rebuilt from the
/// text on first use, with an Information log rather than a damage warning, and then answers by the new labels.
/// </summary>
public sealed class IndexVersionTests
{
    private const int OlderVersionEvent = 506;
    private const int DamagedEvent = 501;

    /// <summary>
    /// <c>Fixtures/IndexV2</c>: a <c>messages.1</c> of 300 lines (both layouts; payments, checkout and a pod without
    /// metadata in turn) and the <c>.idx</c> the previous Collector build saved for it after one query (2026-12-06).
    /// </summary>
    private static string FixtureDirectory => Path.Combine(AppContext.BaseDirectory, "Storage", "Fixtures", "IndexV2");

    [Fact]
    public void AnIndexOfThePreviousVersionIsRebuiltAndThenFindsLinesByWorkloadAndPodLabel()
    {
        using var logs = StoredLogs.Create();
        File.Copy(Path.Combine(FixtureDirectory, "messages.1"), logs.PathOf(".1"));
        string saved = Assert.Single(Directory.GetFiles(FixtureDirectory, "*.idx"));
        Directory.CreateDirectory(logs.Store.Directory);
        string index = Path.Combine(logs.Store.Directory, Path.GetFileName(saved));
        File.Copy(saved, index);
        Assert.StartsWith("KSIDX02\n", File.ReadAllText(index), StringComparison.Ordinal);

        var lines = File.ReadAllLines(logs.PathOf(".1"));
        var payments = logs.Engine.Search(Request("{workload=\"Deployment/payments\"}"), default);
        Assert.Equal(lines.Where((_, n) => n % 3 == 0), payments.Entries.Select(e => e.Line));
        var checkout = logs.Engine.Search(Request("{app_kubernetes_io_name=\"checkout\"}"), default);
        Assert.Equal(lines.Where((_, n) => n % 3 == 1), checkout.Entries.Select(e => e.Line));

        var entry = Assert.Single(logs.Log.WithEvent(OlderVersionEvent));
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Information, entry.Level);
        Assert.Empty(logs.Log.WithEvent(DamagedEvent));

        // Saved again in this version, under the same name: the next store uses it as it is.
        Assert.StartsWith("KSIDX04\n", File.ReadAllText(index), StringComparison.Ordinal);
        var log = new TestSupport.CollectingLogger();
        var next = new IndexStore(logs.Options, TimeProvider.System, new TestSupport.TypedLogger<IndexStore>(log));
        var files = next.OpenAll();
        try
        {
            var file = Assert.Single(files);
            Assert.Equal([string.Empty, "Deployment/checkout", "Deployment/payments"], Values(file.Index.Labels, "workload"));
            Assert.Equal(["checkout", "payments"], Values(file.Index.Labels, "app_kubernetes_io_name"));
            Assert.Equal(["pay"], Values(file.Index.Labels, "label_app"));
        }
        finally
        {
            files.ForEach(f => f.Dispose());
        }

        Assert.DoesNotContain(log.Entries, e => e.EventId.Id is OlderVersionEvent or DamagedEvent);
    }

    [Fact]
    public void PodLabelsSurviveSavingAndLoadingAndADamagedPodLabelEntryIsRejected()
    {
        var index = new FileIndex(new FileKey(10, 42));
        var builder = new IndexBuilder(index, 0);
        var lines = Enumerable.Range(0, 50)
            .Select(n => KubeLabelLogs.Line(n, "payments-1", n % 2 == 0 ? PodMeta.Payments : PodMeta.Checkout, messageFirst: n % 3 == 0).Line + "\n");
        builder.AddLines(System.Text.Encoding.UTF8.GetBytes(string.Concat(lines)));
        builder.Finish();

        var loaded = FileIndex.Deserialize(index.Serialize(), index.Key);
        Assert.Equal(index.Labels.Count, loaded.Labels.Count);
        for (int id = 0; id < index.Labels.Count; id++)
        {
            Assert.Equal(
                (index.Labels.LabelOf(id), index.Labels.NameOf(id), index.Labels.ValueOf(id)),
                (loaded.Labels.LabelOf(id), loaded.Labels.NameOf(id), loaded.Labels.ValueOf(id)));
        }

        Assert.Equal(index.Blocks.Select(b => b.Values), loaded.Blocks.Select(b => b.Values));
        Assert.Equal(["pay \"v2\" ]\\"], Values(loaded.Labels, "k8s_app"));

        // The same name twice among the pod label names is damage, not a second label.
        var bad = new LabelValues();
        bad.AddPodLabel("a", "x");
        Assert.Throws<InvalidDataException>(() => bad.AddPodLabel("a", "x"));
        Assert.Throws<InvalidDataException>(() => bad.AddPodLabel("b", string.Empty));
    }

    private static SearchRequest Request(string query) => new(QueryParser.Parse(query), long.MinValue, long.MaxValue, 10_000, Backward: false);

    private static string[] Values(LabelValues labels, string name) =>
        [.. Enumerable.Range(0, labels.Count).Where(id => labels.NameOf(id) == name).Select(labels.ValueOf).Order(StringComparer.Ordinal)];
}
