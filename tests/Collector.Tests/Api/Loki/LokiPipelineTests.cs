using System.Globalization;
using System.Net;

namespace Collector.Tests.Api.Loki;

/// <summary>
/// LogQL pipelines through the Loki API over real stored files: the exact streams (label sets with the extracted
/// labels) and entries Loki would return, metric queries grouped by extracted labels, and the 400s.
/// </summary>
public sealed class LokiPipelineTests(PipelineLogs logs) : IClassFixture<PipelineLogs>
{
    private static readonly string Start = (PipelineLogs.EpochNs - 60_000_000_000).ToString(CultureInfo.InvariantCulture);
    private static readonly string End = (PipelineLogs.EpochNs + 60_000_000_000).ToString(CultureInfo.InvariantCulture);

    private static string Url(string path, params (string Name, string Value)[] parameters) =>
        path + "?" + string.Join('&', parameters.Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value)}"));

    private static SortedDictionary<string, string> Stream(int seq, string ns, string severity, params (string, string)[] extracted)
    {
        string level = severity switch { "err" => "error", "warning" => "warn", _ => "info" };
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["app"] = "nginx",
            ["container"] = "main",
            ["detected_level"] = level,
            ["host"] = "node-1",
            ["level"] = level,
            ["namespace"] = ns,
            ["pod"] = $"{ns}-0",
            ["severity"] = severity,
        };
        foreach (var (name, value) in extracted)
        {
            labels[name] = value;
        }

        return labels;
    }

    /// <summary>A log query's streams, in answer order: labels and [ns, line] values.</summary>
    private async Task<List<(SortedDictionary<string, string> Labels, List<(long Ns, string Line)> Values)>> StreamsAsync(string query)
    {
        using var http = logs.Client();
        var data = await LokiLogs.DataAsync(http, Url("/loki/api/v1/query_range", ("query", query), ("start", Start), ("end", End),
            ("direction", "forward"), ("limit", "100")));
        Assert.Equal("streams", data.GetProperty("resultType").GetString());
        return data.GetProperty("result").EnumerateArray().Select(s => (
            new SortedDictionary<string, string>(
                s.GetProperty("stream").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
                StringComparer.Ordinal),
            s.GetProperty("values").EnumerateArray()
                .Select(v => (long.Parse(v[0].GetString()!, CultureInfo.InvariantCulture), v[1].GetString()!))
                .ToList()))
            .ToList();
    }

    private long Ns(int seq) => logs.Logs[seq].TimeNs;

    [Fact]
    public async Task JsonAndANumericFilterReturnEachLineUnderItsFullLabelSetExtractedLabelsIncluded()
    {
        var streams = await StreamsAsync("{namespace=~\".+\"} | json | status >= 500");

        Assert.Equal(3, streams.Count);
        Assert.Equal(Stream(1, "web", "err", ("latency", "1.5s"), ("method", "POST"), ("path", "/b"), ("status", "503")), streams[0].Labels);
        Assert.Equal([(Ns(1), logs.StoredLine(1))], streams[0].Values);

        // The message's own "level" collides with the stream label: it is extracted as level_extracted, as in Loki.
        Assert.Equal(
            Stream(2, "web", "err", ("latency", "250ms"), ("level_extracted", "error"), ("method", "GET"), ("path", "/c"), ("status", "500")),
            streams[1].Labels);
        Assert.Equal([(Ns(2), logs.StoredLine(2))], streams[1].Values);
        Assert.Equal(Stream(5, "db", "err", ("latency", "2s"), ("method", "GET"), ("path", "/e"), ("status", "502")), streams[2].Labels);
        Assert.Equal([(Ns(5), logs.StoredLine(5))], streams[2].Values);
    }

    [Fact]
    public async Task LinesThatAreNotJsonCarryTheErrorLabelsAndCanBeSelectedByThem()
    {
        var streams = await StreamsAsync("{namespace=\"web\"} | json | __error__ != \"\" | drop __error_details__");

        Assert.Equal(
            [
                (Stream(3, "web", "warning", ("__error__", "JSONParserErr")), [(Ns(3), logs.StoredLine(3))]),
                (Stream(4, "web", "info", ("__error__", "JSONParserErr")), [(Ns(4), logs.StoredLine(4))]),
            ],
            streams.Select(s => (s.Labels, s.Values)));
    }

    [Fact]
    public async Task LogfmtLinesGroupIntoOneStreamPerLabelSetAndLineFormatReplacesTheLine()
    {
        var streams = await StreamsAsync(
            "{namespace=\"web\"} | logfmt | method=\"GET\" | keep method, namespace | line_format \"{{.method}} {{.path}}\"");

        // Only line 3 is logfmt with a method (JSON lines give logfmt no pairs): the kept labels form the stream.
        var stream = Assert.Single(streams);
        Assert.Equal(new SortedDictionary<string, string>(StringComparer.Ordinal) { ["method"] = "GET", ["namespace"] = "web" }, stream.Labels);
        Assert.Equal([(Ns(3), "GET ")], stream.Values);
    }

    [Fact]
    public async Task EntriesWithTheSameFullLabelSetShareAStream()
    {
        var streams = await StreamsAsync("{namespace=\"web\"} | json | __error__=\"\" | line_format \"{{.status}}\" | keep namespace");

        var stream = Assert.Single(streams);
        Assert.Equal([(Ns(0), "200"), (Ns(1), "503"), (Ns(2), "500")], stream.Values);
    }

    [Fact]
    public async Task ALevelSelectorSelectsTheLinesOfThatSeverity()
    {
        var streams = await StreamsAsync("{level=\"error\"}");

        Assert.Equal(
            [1, 2, 5],
            streams.SelectMany(s => s.Values)
                .OrderBy(v => v.Ns)
                .Select(v => logs.Stored.IndexOf(v.Line))
                .Select(i => logs.Logs.FindIndex(l => logs.Stored[i].Contains(l.Body, StringComparison.Ordinal))));
        Assert.All(streams, s => Assert.Equal("error", s.Labels["level"]));
    }

    [Fact]
    public async Task AMetricQueryGroupsByAnExtractedLabel()
    {
        using var http = logs.Client();
        string at = (PipelineLogs.EpochNs + 30_000_000_000).ToString(CultureInfo.InvariantCulture);

        var data = await LokiLogs.DataAsync(http, Url("/loki/api/v1/query", ("time", at),
            ("query", "sum by (status) (count_over_time({namespace=~\".+\"} | json | __error__=\"\" | status >= 500 [1m]))")));

        Assert.Equal("vector", data.GetProperty("resultType").GetString());
        Assert.Equal(
            [("500", "1"), ("502", "1"), ("503", "1")],
            data.GetProperty("result").EnumerateArray().Select(r =>
                (r.GetProperty("metric").GetProperty("status").GetString()!, r.GetProperty("value")[1].GetString()!)));

        var bytes = await LokiLogs.DataAsync(http, Url("/loki/api/v1/query", ("time", at),
            ("query", "sum(bytes_over_time({namespace=\"web\"} | json | __error__=\"\" | line_format \"{{.status}}\" [1m]))")));
        Assert.Equal("9", Assert.Single(bytes.GetProperty("result").EnumerateArray().ToList()).GetProperty("value")[1].GetString());
    }

    [Fact]
    public async Task UnwrappedRangeFunctionsAggregateTheSamplesOfEachWindow()
    {
        using var http = logs.Client();
        string at = (PipelineLogs.EpochNs + 30_000_000_000).ToString(CultureInfo.InvariantCulture);

        async Task<List<(string Label, double Value)>> Vector(string query, string label)
        {
            var data = await LokiLogs.DataAsync(http, Url("/loki/api/v1/query", ("time", at), ("query", query)));
            Assert.Equal("vector", data.GetProperty("resultType").GetString());
            return [.. data.GetProperty("result").EnumerateArray().Select(r => (
                r.GetProperty("metric").TryGetProperty(label, out var v) ? v.GetString()! : "",
                double.Parse(r.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture)))];
        }

        // Latencies: GET 12ms, 250ms, 2s; POST 1.5s (lines 3 and 4 are not JSON and are filtered out before unwrap).
        var sums = await Vector(
            "sum by (method) (sum_over_time({namespace=~\".+\"} | json | __error__=\"\" | unwrap duration(latency) [1m]))",
            "method");
        Assert.Equal(["GET", "POST"], sums.Select(s => s.Label));
        Assert.Equal(2.262, sums[0].Value, 9);
        Assert.Equal(1.5, sums[1].Value, 9);

        Assert.Equal(
            [("db", 502.0), ("web", 503.0)],
            await Vector(
                "max by (namespace) (max_over_time({namespace=~\".+\"} | json | __error__=\"\" | keep namespace, status | unwrap status [1m]))",
                "namespace"));

        // The unwrapped label leaves the series: one series per namespace remains.
        Assert.Equal(
            [("web", 500.0)],
            await Vector(
                "quantile_over_time(0.5, {namespace=\"web\"} | json | __error__=\"\" | keep namespace, status | unwrap status [1m])",
                "namespace"));
        Assert.Equal(
            [("web", 200.0)],
            await Vector(
                "first_over_time({namespace=\"web\"} | json | __error__=\"\" | keep namespace, status | unwrap status | status < 600 [1m])",
                "namespace"));
    }

    [Theory]
    [InlineData("sum_over_time({namespace=\"web\"} | logfmt | unwrap path [1m])", "pipeline error: 'SampleExtractionErr' for series:")]
    [InlineData("sum_over_time({namespace=\"web\"}[1m])", "parse error at line 1, col 1: invalid aggregation sum_over_time without unwrap")]
    [InlineData(
        "count_over_time({namespace=\"web\"} | json | unwrap status [1m])",
        "parse error at line 1, col 1: invalid aggregation count_over_time with unwrap")]
    [InlineData(
        "sum_over_time({namespace=\"web\"} | json | unwrap status |= \"x\" [1m])",
        "parse error at line 1, col 56: unwrap: only label filters may follow it")]
    [InlineData("{namespace=\"web\"} | json | unwrap status", "parse error at line 1, col 28: unwrap is only allowed in a range aggregation")]
    public async Task BadUnwrapsAre400s(string query, string message)
    {
        using var http = logs.Client();
        string at = (PipelineLogs.EpochNs + 30_000_000_000).ToString(CultureInfo.InvariantCulture);
        var (status, _, text, _) = await LokiLogs.GetAsync(http, Url("/loki/api/v1/query", ("query", query), ("time", at)));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith(message, text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(
        "{namespace=\"web\"} | line_format \"{{ nosuch .a }}\"",
        "parse error at line 1, col 37: line_format: invalid template: function \"nosuch\" not defined")]
    [InlineData(
        "{namespace=\"web\"} | json | latency > 5lightyears",
        "parse error at line 1, col 38: label filter: '5lightyears' is not a number, a duration (10s, 1h30m) or bytes (1KB, 5MiB)")]
    [InlineData("count_over_time({namespace=\"web\"} | json [1m])", "pipeline error: 'JSONParserErr' for series:")]
    public async Task BadPipelinesAndPipelineErrorsInMetricsAre400s(string query, string message)
    {
        using var http = logs.Client();
        string at = (PipelineLogs.EpochNs + 30_000_000_000).ToString(CultureInfo.InvariantCulture);
        var (status, _, text, _) = await LokiLogs.GetAsync(http, Url("/loki/api/v1/query", ("query", query), ("time", at)));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith(message, text, StringComparison.Ordinal);
    }
}
