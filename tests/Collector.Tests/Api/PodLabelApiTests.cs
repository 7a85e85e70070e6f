using System.Globalization;
using System.Net;
using System.Text.Json;
using Collector.Storage;
using Collector.Tests.Search;
using TestSupport;

namespace Collector.Tests.Api;

/// <summary>
/// The workload and the pod labels over real HTTP: stream labels of both query APIs, the label lists and values of
/// both, Loki's series, labels with a query, and index/volume by a pod label (docs/kubernetes-metadata.md).
/// </summary>
public sealed class PodLabelApiTests
{
    private static readonly string Start = StoredLogs.StartNs.ToString(CultureInfo.InvariantCulture);
    private static readonly string End = (StoredLogs.StartNs + 86_400_000_000_000L).ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task QueriesByWorkloadAndPodLabelReturnTheirLinesWithTheLabelsAsStreamLabels()
    {
        using var logs = StoredLogs.Create();
        var lines = KubeLabelLogs.WriteMixed(logs, perFile: 300);
        await using var collector = await RunningCollector.StartAsync(logs.Options.File, token: null);
        using var api = new ApiClient(collector.Http);

        foreach (var (query, matches) in (List<(string, Func<KubeLine, bool>)>)
            [
                ("{workload=\"Deployment/payments\"}", l => l.Meta == PodMeta.Payments),
                ("{app_kubernetes_io_name=\"checkout\"}", l => l.Meta == PodMeta.Checkout),
                ("{workload=~\".+\", label_app!=\"pay\"}", l => l.Meta is not null && l.Meta != PodMeta.Payments),
            ])
        {
            var expected = lines.Where(matches).ToList();
            var page = await api.QueryRangeAsync(("query", query), ("start", Start), ("end", End), ("limit", "5000"), ("direction", "forward"));
            var got = page.Streams.SelectMany(s => s.Values.Select(v => (v.Line, s.Labels))).OrderBy(v => v.Line, StringComparer.Ordinal).ToList();
            Assert.Equal(expected.Select(l => l.Line).Order(StringComparer.Ordinal), got.Select(v => v.Line));
            foreach (var (line, labels) in got)
            {
                Assert.Equal(Labels(expected.Single(l => l.Line == line)), labels.OrderBy(l => l.Key, StringComparer.Ordinal));
            }

            // Loki's query_range: the same lines, the same labels with level and detected_level.
            var (status, body, _) = await api.GetJsonAsync(ApiClient.Url(
                "/loki/api/v1/query_range", ("query", query), ("start", Start), ("end", End), ("limit", "5000"), ("direction", "forward")));
            Assert.Equal(HttpStatusCode.OK, status);
            var loki = body.GetProperty("data").GetProperty("result").EnumerateArray()
                .SelectMany(s => s.GetProperty("values").EnumerateArray()
                    .Select(v => (Line: v[1].GetString()!, Labels: Object(s.GetProperty("stream")))))
                .OrderBy(v => v.Line, StringComparer.Ordinal).ToList();
            Assert.Equal(got.Select(v => v.Line), loki.Select(v => v.Line));
            Assert.All(loki, v => Assert.Equal(LokiLabels(expected.Single(l => l.Line == v.Line)), v.Labels));
        }
    }

    [Fact]
    public async Task LabelListsNameTheWorkloadAndThePodLabelsWithTheirValues()
    {
        using var logs = StoredLogs.Create();
        var lines = KubeLabelLogs.WriteMixed(logs, perFile: 300);
        await using var collector = await RunningCollector.StartAsync(logs.Options.File, token: null);
        using var api = new ApiClient(collector.Http);
        string[] names =
        [
            "app", "app_kubernetes_io_instance", "app_kubernetes_io_name", "container", "host", "k8s_app", "label_app", "namespace", "pod",
            "severity", "workload",
        ];

        Assert.Equal(names, await DataAsync(api, "/api/v1/labels"));
        Assert.Equal(names.Append("detected_level").Append("level").Order(StringComparer.Ordinal), await DataAsync(api, "/loki/api/v1/labels"));
        foreach (string prefix in (string[])["/api/v1", "/loki/api/v1"])
        {
            Assert.Equal(["checkout", "nightly", "payments"], await DataAsync(api, $"{prefix}/label/app_kubernetes_io_name/values"));
            Assert.Equal(["CronJob/nightly", "Deployment/checkout", "Deployment/payments"], await DataAsync(api, $"{prefix}/label/workload/values"));
            Assert.Equal(["pay \"v2\" ]\\"], await DataAsync(api, $"{prefix}/label/k8s_app/values"));
            Assert.Equal(["pay"], await DataAsync(api, $"{prefix}/label/label_app/values"));
            Assert.Equal(["app"], await DataAsync(api, $"{prefix}/label/app/values"));
            Assert.Empty(await DataAsync(api, $"{prefix}/label/no_such_label/values"));
        }

        // With a query, from its lines: the nightly pod has a name label and no instance.
        var nightly = await DataAsync(api, "/loki/api/v1/labels", ("query", "{workload=\"CronJob/nightly\"}"));
        Assert.Contains("app_kubernetes_io_name", nightly);
        Assert.DoesNotContain("app_kubernetes_io_instance", nightly);
        Assert.Equal(
            ["nightly"],
            await DataAsync(api, "/loki/api/v1/label/app_kubernetes_io_name/values", ("query", "{workload=\"CronJob/nightly\"}")));

        // Series: every label set of the matching lines, pod labels included.
        var (status, body, _) = await api.GetJsonAsync(ApiClient.Url(
            "/loki/api/v1/series", ("match[]", "{app_kubernetes_io_name=~\".+\"}"), ("start", Start), ("end", End)));
        Assert.Equal(HttpStatusCode.OK, status);
        var series = body.GetProperty("data").EnumerateArray().Select(s => Key(Object(s))).Order(StringComparer.Ordinal).ToList();
        var expected = lines.Where(l => l.Meta is not null).Select(l => Key(LokiLabels(l))).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, series);
        Assert.Equal(12, series.Count);

        // index/volume: bytes per value of the pod label the selector names.
        (status, body, _) = await api.GetJsonAsync(ApiClient.Url(
            "/loki/api/v1/index/volume", ("query", "{app_kubernetes_io_name=~\".+\"}"), ("start", Start), ("end", End)));
        Assert.Equal(HttpStatusCode.OK, status);
        var volumes = body.GetProperty("data").GetProperty("result").EnumerateArray()
            .Select(s => (Key(Object(s.GetProperty("metric"))), s.GetProperty("value")[1].GetString()!)).ToList();
        var bytes = lines.Where(l => l.Meta is not null).GroupBy(l => l.Meta!.Label("app_kubernetes_io_name"))
            .Select(g => (Key([new("app_kubernetes_io_name", g.Key)]), g.Sum(l => System.Text.Encoding.UTF8.GetByteCount(l.Line))))
            .OrderByDescending(v => v.Item2).ThenBy(v => v.Item1, StringComparer.Ordinal)
            .Select(v => (v.Item1, v.Item2.ToString(CultureInfo.InvariantCulture)));
        Assert.Equal(bytes, volumes);
    }

    private static async Task<string[]> DataAsync(ApiClient api, string path, params (string Name, string? Value)[] extra)
    {
        var (status, body, _) = await api.GetJsonAsync(ApiClient.Url(path, [("start", Start), ("end", End), .. extra]));
        Assert.True(status == HttpStatusCode.OK, $"{path}: {status} {body}");
        return [.. body.GetProperty("data").EnumerateArray().Select(v => v.GetString()!)];
    }

    private static List<KeyValuePair<string, string>> Object(JsonElement element) =>
        [.. element.EnumerateObject().Select(p => new KeyValuePair<string, string>(p.Name, p.Value.GetString()!))
            .OrderBy(p => p.Key, StringComparer.Ordinal)];

    private static string Key(IEnumerable<KeyValuePair<string, string>> labels) => string.Join(", ", labels.Select(l => $"{l.Key}={l.Value}"));

    /// <summary>The labels of a line in our API, by name, worked out from what the test wrote.</summary>
    private static List<KeyValuePair<string, string>> Labels(KubeLine line)
    {
        var labels = new List<KeyValuePair<string, string>> { new("host", "node-1"), new("app", "app"), new("severity", line.Stored.Severity) };
        if (line.HasIdentity)
        {
            labels.AddRange([new("namespace", "shop"), new("pod", line.Stored.Pod), new("container", "main")]);
        }

        if (line.Meta?.Workload is { } workload)
        {
            labels.Add(new("workload", workload));
        }

        labels.AddRange((line.Meta?.Labels ?? []).Select(l => new KeyValuePair<string, string>(PodLabelName.Of("l." + l.Key)!, l.Value)));
        return [.. labels.OrderBy(l => l.Key, StringComparer.Ordinal)];
    }

    private static List<KeyValuePair<string, string>> LokiLabels(KubeLine line)
    {
        string level = line.Stored.Severity switch { "err" => "error", "warning" => "warn", var s => s };
        return [.. Labels(line).Append(new("level", level)).Append(new("detected_level", level)).OrderBy(l => l.Key, StringComparer.Ordinal)];
    }
}
