using System.Globalization;
using System.Net;
using System.Text.Json;
using Collector.Search;
using Collector.Storage;
using Collector.Storage.Index;
using Collector.Tests.Api;
using TestSupport;

namespace Collector.Tests.Search;

/// <summary>
/// The namespace labels the Forwarder adds with <c>--namespace-labels</c> (<c>n.KEY</c> params) are labels of the
/// query language, the index and the label lists under <c>namespace_KEY</c>, beside the pod labels and never in
/// their place (docs/kubernetes-metadata.md).
/// </summary>
public sealed class NamespaceLabelTests
{
    private static readonly PodMeta Payments = PodMeta.Payments with
    {
        NamespaceLabels = [("team", "payments-team"), ("kubernetes.io/metadata.name", "shop"), ("app", "ns-app")],
    };

    private static readonly PodMeta Checkout = PodMeta.Checkout with { NamespaceLabels = [("team", "web-team")] };

    [Theory]
    [InlineData("n.team", "namespace_team")]
    [InlineData("n.kubernetes.io/metadata.name", "namespace_kubernetes_io_metadata_name")]
    [InlineData("n.app", "namespace_app")] // no clash with the fixed label app: the prefix keeps them apart
    [InlineData("n.0tier", "namespace_0tier")]
    [InlineData("l.team", "team")]
    [InlineData("n.", null)]
    [InlineData("x.team", null)]
    [InlineData("namespace", null)]
    public void ANamespaceLabelIsNamedBehindItsPrefix(string param, string? expected) => Assert.Equal(expected, PodLabelName.Of(param));

    [Fact]
    public void ANamespaceLabelNameLongerThanTheBoundIsNotALabel()
    {
        string key = new('k', PodLabelName.MaxLength - PodLabelName.NamespacePrefix.Length);
        Assert.Equal(PodLabelName.NamespacePrefix + key, PodLabelName.Of("n." + key));
        Assert.Null(PodLabelName.Of("n." + key + "k"));
    }

    [Fact]
    public void QueriesByNamespaceLabelReturnExactlyTheirLinesAndListTheirValues()
    {
        using var logs = StoredLogs.Create();
        var lines = Write(logs);

        foreach (var (query, matches) in (List<(string, Func<KubeLine, bool>)>)
            [
                ("{namespace_team=\"payments-team\"}", l => l.Meta == Payments),
                ("{namespace_team=~\".+-team\"} |= \"needle\"",
                    l => l.Meta is not null && l.Stored.Text.Contains("needle", StringComparison.Ordinal)),
                ("{namespace_team=\"\"}", l => l.Meta is null),
                ("{namespace_app=\"ns-app\", label_app=\"pay\"}", l => l.Meta == Payments),
                ("{app=\"ns-app\"}", _ => false),
            ])
        {
            var request = new SearchRequest(QueryParser.Parse(query), long.MinValue, long.MaxValue, 100_000, Backward: false);
            var result = logs.Engine.Search(request, default);
            Assert.Equal(lines.Where(matches).Select(l => l.Line), result.Entries.Select(e => e.Line));
        }

        var values = logs.Engine.CollectLabelValues(long.MinValue, long.MaxValue, default);
        Assert.Equal(["payments-team", "web-team"], values.PodLabels["namespace_team"].Order(StringComparer.Ordinal));
        Assert.Equal(["shop"], values.PodLabels["namespace_kubernetes_io_metadata_name"]);
        Assert.Equal(["ns-app"], values.PodLabels["namespace_app"]);
        Assert.Equal(["pay"], values.PodLabels["label_app"]);
        Assert.Equal(["app"], values[LogLabel.App]);
    }

    [Fact]
    public void AnIndexOfVersion03IsOlderAndRebuilt()
    {
        // Version 03 indexed pod labels but not namespace labels: such a file must not answer namespace label queries.
        Assert.True(FileIndex.IsOlderVersion("KSIDX03\n0123456789"u8));
        Assert.False(FileIndex.IsOlderVersion("KSIDX04\n0123456789"u8));
    }

    [Fact]
    public async Task TheApisListNamespaceLabelsAndUseThemAsStreamLabels()
    {
        using var logs = StoredLogs.Create();
        var lines = Write(logs);
        await using var collector = await RunningCollector.StartAsync(logs.Options.File, token: null);
        using var api = new ApiClient(collector.Http);
        string start = StoredLogs.StartNs.ToString(CultureInfo.InvariantCulture);
        string end = (StoredLogs.StartNs + 86_400_000_000_000L).ToString(CultureInfo.InvariantCulture);

        var (status, body, _) = await api.GetJsonAsync(ApiClient.Url("/loki/api/v1/labels", ("start", start), ("end", end)));
        Assert.Equal(HttpStatusCode.OK, status);
        var names = Strings(body.GetProperty("data"));
        Assert.Contains("namespace_team", names);
        Assert.Contains("namespace_kubernetes_io_metadata_name", names);

        (status, body, _) = await api.GetJsonAsync(ApiClient.Url("/loki/api/v1/label/namespace_team/values", ("start", start), ("end", end)));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["payments-team", "web-team"], Strings(body.GetProperty("data")));

        (status, body, _) = await api.GetJsonAsync(ApiClient.Url(
            "/loki/api/v1/query_range", ("query", "{namespace_team=\"web-team\"}"), ("start", start), ("end", end), ("limit", "5000"),
            ("direction", "forward")));
        Assert.Equal(HttpStatusCode.OK, status);
        var streams = body.GetProperty("data").GetProperty("result").EnumerateArray().ToList();
        Assert.All(streams, s => Assert.Equal("web-team", s.GetProperty("stream").GetProperty("namespace_team").GetString()));
        Assert.Equal(
            lines.Where(l => l.Meta == Checkout).Select(l => l.Line),
            streams.SelectMany(s => s.GetProperty("values").EnumerateArray().Select(v => (Ns: v[0].GetString()!, Line: v[1].GetString()!)))
                .OrderBy(v => long.Parse(v.Ns, CultureInfo.InvariantCulture)).Select(v => v.Line));
    }

    private static List<KubeLine> Write(StoredLogs logs)
    {
        var lines = Enumerable.Range(0, 300).Select(n => (n % 3) switch
        {
            0 => KubeLabelLogs.Line(n, "payments-7d4b9c8f6-x2x9z", Payments, messageFirst: n % 2 == 0),
            1 => KubeLabelLogs.Line(n, "checkout-5f6d7c8b9-q8w2z", Checkout, messageFirst: n % 2 == 0),
            _ => KubeLabelLogs.Line(n, "web-66b9d-aaaaa", null, messageFirst: n % 2 == 0),
        }).ToList();
        logs.Write(string.Empty, lines.Select(l => l.Stored));
        return lines;
    }

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(v => v.GetString()!).Order(StringComparer.Ordinal)];
}
