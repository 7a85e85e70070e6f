using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Collector.Tests.Api.Loki;

/// <summary>
/// The requests Grafana's Loki data source and logcli send (pkg/tsdb/loki/api.go, healthcheck.go;
/// pkg/logcli/client/client.go), against a real Collector over HTTP; answers checked field by field against Loki's
/// documented JSON and their content against the generated lines.
/// </summary>
public sealed class LokiApiTests(LokiLogs logs) : IClassFixture<LokiLogs>
{
    private static string Url(string path, params (string Name, string Value)[] parameters) =>
        path + "?" + string.Join('&', parameters.Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value)}"));

    [Fact]
    public async Task GrafanaSaveAndTestGetsTheValueTwoFromVectorOnePlusVectorOne()
    {
        using var http = logs.Client();

        // Grafana's health check: an instant query at To = Unix(4, 0), direction empty, no limit.
        var data = await LokiLogs.DataAsync(http, Url("/loki/api/v1/query", ("direction", ""), ("query", "vector(1)+vector(1)"), ("time",
            "4000000000")));

        Assert.Equal(["resultType", "result", "stats"], data.EnumerateObject().Select(p => p.Name));
        Assert.Equal("vector", data.GetProperty("resultType").GetString());
        var sample = Assert.Single(data.GetProperty("result").EnumerateArray().ToList());
        Assert.Equal(["metric", "value"], sample.EnumerateObject().Select(p => p.Name));
        Assert.Empty(sample.GetProperty("metric").EnumerateObject());
        Assert.Equal(JsonValueKind.Number, sample.GetProperty("value")[0].ValueKind);
        Assert.Equal("2", sample.GetProperty("value")[1].GetString());
    }

    [Fact]
    public async Task GrafanaSaveAndTestAndLogcliLabelsListEveryLabelNameSorted()
    {
        using var http = logs.Client();
        var (start, end) = LokiLogs.Everything;

        var data = await LokiLogs.DataAsync(http, Url("/loki/api/v1/labels", ("start", LokiLogs.Ns(start)), ("end", LokiLogs.Ns(end))));

        Assert.Equal(
            ["app", "container", "detected_level", "host", "level", "namespace", "pod", "severity"],
            data.EnumerateArray().Select(v => v.GetString()));
    }

    [Theory]
    [InlineData("backward", 1000)]
    [InlineData("backward", 40)]
    [InlineData("forward", 25)]
    [InlineData("BACKWARD", 7)]
    public async Task ExploreLogsGetTheLinesNearestTheRangesEndOrStartSortedByTime(string direction, int limit)
    {
        using var http = logs.Client();
        var (start, end) = LokiLogs.Everything;
        bool backward = direction.Equals("backward", StringComparison.OrdinalIgnoreCase);

        var data = await LokiLogs.DataAsync(http, Url(
            "/loki/api/v1/query_range",
            ("direction", direction),
            ("end", LokiLogs.Ns(end)),
            ("limit", limit.ToString(CultureInfo.InvariantCulture)),
            ("query", "{host=~\".+\"}"),
            ("start", LokiLogs.Ns(start)),
            ("step", "2000ms")));

        Assert.Equal(["resultType", "result", "stats"], data.EnumerateObject().Select(p => p.Name));
        Assert.Equal("streams", data.GetProperty("resultType").GetString());
        var got = new List<(long Ns, int Seq)>();
        foreach (var stream in data.GetProperty("result").EnumerateArray())
        {
            Assert.Equal(["stream", "values"], stream.EnumerateObject().Select(p => p.Name));
            var labels = new SortedDictionary<string, string>(
                stream.GetProperty("stream").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!), StringComparer.Ordinal);
            long previous = backward ? long.MaxValue : long.MinValue;
            foreach (var value in stream.GetProperty("values").EnumerateArray())
            {
                Assert.Equal(2, value.GetArrayLength());
                long ns = long.Parse(value[0].GetString()!, CultureInfo.InvariantCulture);
                int seq = GeneratedLogs.SeqOf(value[1].GetString()!);
                var log = logs.Logs[seq];
                Assert.Equal(log.TimeNs, ns);
                Assert.Equal(LokiLogs.LabelsOf(log), labels);
                Assert.True(backward ? ns <= previous : ns >= previous, "a stream's values are sorted by time in the requested direction");
                previous = ns;
                got.Add((ns, seq));
            }
        }

        var expected = (backward ? logs.Logs.OrderByDescending(l => l.TimeNs) : logs.Logs.OrderBy(l => l.TimeNs))
            .Take(limit).Select(l => l.Seq).Order();
        Assert.Equal(expected, got.Select(g => g.Seq).Order());
    }

    [Fact]
    public async Task LogVolumeCountsEachLevelPerStepAsABruteForceCountDoes()
    {
        using var http = logs.Client();
        var lines = await AllLinesAsync(http);
        long start = LokiLogs.EpochNs - 120_000_000_000, end = LokiLogs.EpochNs + 3_300_000_000_000, step = 60_000_000_000;

        // Grafana's log volume: sum by (level) (count_over_time(<query>[$__auto])) as a range query with step in ms.
        var data = await LokiLogs.DataAsync(http, Url(
            "/loki/api/v1/query_range",
            ("direction", "backward"),
            ("end", LokiLogs.Ns(end)),
            ("query", "sum by (level) (count_over_time({namespace=~\".+\"}[1m]))"),
            ("start", LokiLogs.Ns(start)),
            ("step", "60000ms")));

        var times = Steps(start, end, step);
        var expected = BruteForce.Evaluate(lines, l => l.Labels.ContainsKey("namespace"), "count_over_time", step, times, "sum", ["level"]);
        Assert.Equal(["resultType", "result", "stats"], data.EnumerateObject().Select(p => p.Name));
        Assert.True(expected.Count >= 4, "the data has lines of several levels");
        BruteForce.Equal(expected, BruteForce.FromMatrix(data, times));
    }

    /// <summary>
    /// Grafana 11's log volume (datasource.ts getSupplementaryQuery): <c>sum by (level, detected_level)</c>, with
    /// <c>| drop __error__</c> before the range, sent with the header <c>X-Query-Tags: Source=logvolhist</c>.
    /// </summary>
    [Fact]
    public async Task GrafanasLevelAndDetectedLevelVolumeWithDropErrorCountsAsABruteForceCountDoes()
    {
        using var http = logs.Client();
        var lines = await AllLinesAsync(http);
        long start = LokiLogs.EpochNs - 120_000_000_000, end = LokiLogs.EpochNs + 3_300_000_000_000, step = 120_000_000_000;
        using var request = new HttpRequestMessage(HttpMethod.Get, Url(
            "/loki/api/v1/query_range",
            ("direction", "backward"),
            ("end", LokiLogs.Ns(end)),
            ("limit", "1000"),
            ("query", "sum by (level, detected_level) (count_over_time({namespace=~\".+\"} | drop __error__[2m]))"),
            ("start", LokiLogs.Ns(start)),
            ("step", "120000ms")));
        request.Headers.Add("X-Query-Tags", "Source=logvolhist");

        using var response = await http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var document = JsonDocument.Parse(text);
        var data = document.RootElement.GetProperty("data");

        var times = Steps(start, end, step);
        var expected = BruteForce.Evaluate(lines, l => l.Labels.ContainsKey("namespace"), "count_over_time", step, times, "sum", ["level",
            "detected_level"]);
        Assert.Equal("matrix", data.GetProperty("resultType").GetString());
        Assert.True(expected.Count >= 4, "the data has lines of several levels");
        BruteForce.Equal(expected, BruteForce.FromMatrix(data, times));
    }

    /// <summary>
    /// Grafana's label browser with a selector chosen (language_provider.ts): label names and series restricted to it,
    /// as GET resource calls with <c>start</c>/<c>end</c> in ns.
    /// </summary>
    [Fact]
    public async Task TheLabelBrowsersNamesAndSeriesForASelectorAreThoseOfItsStreams()
    {
        using var http = logs.Client();
        var (start, end) = LokiLogs.Everything;

        var names = await LokiLogs.DataAsync(http, Url(
            "/loki/api/v1/labels", ("start", LokiLogs.Ns(start)), ("end", LokiLogs.Ns(end)), ("query", "{namespace=\"web\", container=\"init\"}")));
        var series = await LokiLogs.DataAsync(http, Url(
            "/loki/api/v1/series", ("match[]", "{namespace=\"web\", container=\"init\"}"), ("start", LokiLogs.Ns(start)), ("end",
                LokiLogs.Ns(end))));

        var web = logs.Logs.Where(l => l.Namespace == "web" && l.Container == "init").ToList();
        Assert.NotEmpty(web);
        Assert.Equal(
            web.SelectMany(l => LokiLogs.LabelsOf(l).Keys).Distinct().Order(StringComparer.Ordinal),
            names.EnumerateArray().Select(v => v.GetString()));
        var actual = series.EnumerateArray()
            .Select(s => BruteForce.Key(s.EnumerateObject().Select(p => new KeyValuePair<string, string>(p.Name, p.Value.GetString()!))))
            .ToList();
        Assert.Equal(
            web.Select(l => BruteForce.Key(LokiLogs.LabelsOf(l))).Distinct().Order(StringComparer.Ordinal),
            actual.Order(StringComparer.Ordinal));
        Assert.Equal(actual.Count, actual.Distinct().Count());
    }

    [Theory]
    [InlineData("rate({namespace=\"web\"}[5m])", "rate", 300, null, null, false)]
    [InlineData("count_over_time({app=\"nginx\"} |= \"error\"[2m])", "count_over_time", 120, null, null, false)]
    [InlineData("bytes_over_time({host=\"node-1\"}[90s])", "bytes_over_time", 90, null, null, false)]
    [InlineData("sum by (namespace) (bytes_rate({namespace=~\".+\"}[10m]))", "bytes_rate", 600, "sum", "namespace", false)]
    [InlineData("count without (pod, container, severity, level, detected_level) (count_over_time({pod=~\"db-.*\"}[3m]))", "count_over_time",
        180, "count", "pod,container,severity,level,detected_level", true)]
    [InlineData("max by (app) (count_over_time({host=~\".+\"}[4m]))", "count_over_time", 240, "max", "app", false)]
    [InlineData("min(count_over_time({host=~\".+\"}[4m]))", "count_over_time", 240, "min", "", false)]
    [InlineData("avg by (host, app) (rate({host=~\".+\"}[5m]))", "rate", 300, "avg", "host,app", false)]
    public async Task MetricQueriesMatchABruteForceEvaluationOfTheStoredLines(
        string query, string function, int rangeSeconds, string? aggregate, string? by, bool without)
    {
        using var http = logs.Client();
        var lines = await AllLinesAsync(http);
        long start = LokiLogs.EpochNs - 60_000_000_000, end = LokiLogs.EpochNs + 3_100_000_000_000, step = 45_000_000_000;
        Func<KnownLine, bool> selector = query switch
        {
            _ when query.Contains("{namespace=\"web\"}", StringComparison.Ordinal) => l => l.Labels.GetValueOrDefault("namespace") == "web",
            _ when query.Contains("{app=\"nginx\"}",
                StringComparison.Ordinal) => l => l.Labels["app"] == "nginx" && logs.Logs[l.Seq].Body.Contains("error", StringComparison.Ordinal),
            _ when query.Contains("{host=\"node-1\"}", StringComparison.Ordinal) => l => l.Labels["host"] == "node-1",
            _ when query.Contains("{namespace=~", StringComparison.Ordinal) => l => l.Labels.ContainsKey("namespace"),
            _ when query.Contains("{pod=~\"db-.*\"}", StringComparison.Ordinal) => l => l.Labels.GetValueOrDefault("pod",
                "").StartsWith("db-", StringComparison.Ordinal),
            _ => _ => true,
        };

        var data = await LokiLogs.DataAsync(http, Url(
            "/loki/api/v1/query_range", ("query", query), ("start", LokiLogs.Ns(start)), ("end", LokiLogs.Ns(end)), ("step", "45")));

        var times = Steps(start, end, step);
        string[]? labels = by is null ? null : by.Split(',', StringSplitOptions.RemoveEmptyEntries);
        var expected = BruteForce.Evaluate(lines, selector, function, rangeSeconds * 1_000_000_000L, times, aggregate, labels, without);
        Assert.NotEmpty(expected);
        BruteForce.Equal(expected, BruteForce.FromMatrix(data, times));
    }

    [Fact]
    public async Task LogcliInstantQueryAnswersAVectorAtTheGivenTime()
    {
        using var http = logs.Client();
        var lines = await AllLinesAsync(http);
        long at = LokiLogs.EpochNs + 1_500_000_000_000;

        var data = await LokiLogs.DataAsync(http, Url(
            "/loki/api/v1/query",
            ("query", "sum by (namespace) (count_over_time({namespace=~\".+\"}[20m]))"),
            ("limit", "30"),
            ("time", LokiLogs.Ns(at)),
            ("direction", "BACKWARD")));

        Assert.Equal("vector", data.GetProperty("resultType").GetString());
        var expected = BruteForce.Evaluate(lines, l => l.Labels.ContainsKey("namespace"), "count_over_time", 1_200_000_000_000, [at], "sum",
            ["namespace"]);
        var actual = data.GetProperty("result").EnumerateArray().ToDictionary(
            s => BruteForce.Key(s.GetProperty("metric").EnumerateObject().Select(p => new KeyValuePair<string, string>(p.Name,
                p.Value.GetString()!))),
            s =>
            {
                Assert.Equal(at / 1_000_000_000m, s.GetProperty("value")[0].GetDecimal());
                return new Dictionary<int, double> { [0] = double.Parse(s.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture) };
            });
        Assert.Equal(3, expected.Count);
        BruteForce.Equal(expected, actual);
    }

    [Fact]
    public async Task ScalarArithmeticIsAScalarAndVectorOnePlusOneIsTwoAtEveryStep()
    {
        using var http = logs.Client();

        var scalar = await LokiLogs.DataAsync(http, Url("/loki/api/v1/query", ("query", "2 * (3 + 1) - 10 / 4"), ("time", "1700000000")));
        Assert.Equal("scalar", scalar.GetProperty("resultType").GetString());
        Assert.Equal(1700000000m, scalar.GetProperty("result")[0].GetDecimal());
        Assert.Equal("5.5", scalar.GetProperty("result")[1].GetString());

        var matrix = await LokiLogs.DataAsync(http, Url(
            "/loki/api/v1/query_range", ("query", "vector(1)+vector(1)"), ("start", "1700000000"), ("end", "1700000060"), ("step", "30s")));
        var series = Assert.Single(matrix.GetProperty("result").EnumerateArray().ToList());
        Assert.Empty(series.GetProperty("metric").EnumerateObject());
        Assert.Equal(
            [(1700000000m, "2"), (1700000030m, "2"), (1700000060m, "2")],
            series.GetProperty("values").EnumerateArray().Select(v => (v[0].GetDecimal(), v[1].GetString())));
    }

    [Fact]
    public async Task TheLabelBrowsersValuesHonourTheQuery()
    {
        using var http = logs.Client();
        var (start, end) = LokiLogs.Everything;

        var pods = await LokiLogs.DataAsync(http, Url(
            "/loki/api/v1/label/pod/values", ("query", "{namespace=\"web\"}"), ("start", LokiLogs.Ns(start)), ("end", LokiLogs.Ns(end))));
        var levels = await LokiLogs.DataAsync(http, Url("/loki/api/v1/label/level/values", ("start", LokiLogs.Ns(start)), ("end", LokiLogs.Ns(end))));
        var all = await LokiLogs.DataAsync(http, Url("/loki/api/v1/label/pod/values", ("start", LokiLogs.Ns(start)), ("end", LokiLogs.Ns(end))));

        Assert.Equal(
            logs.Logs.Where(l => l.Namespace == "web").Select(l => l.Pod).Distinct().Order(StringComparer.Ordinal),
            pods.EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(["critical", "debug", "error", "info", "warn"], levels.EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(
            logs.Logs.Where(l => l.Pod.Length > 0).Select(l => l.Pod).Distinct().Order(StringComparer.Ordinal),
            all.EnumerateArray().Select(v => v.GetString()));
    }

    [Fact]
    public async Task LogcliSeriesListsTheLabelSetsOfTheStreamsThatMatchAnySelector()
    {
        using var http = logs.Client();
        var (start, end) = LokiLogs.Everything;

        // logcli sends match= (repeated); Loki documents match[]=: both are read.
        var data = await LokiLogs.DataAsync(http, Url(
            "/loki/api/v1/series",
            ("start", LokiLogs.Ns(start)), ("end", LokiLogs.Ns(end)), ("match", "{namespace=\"db\"}"), ("match[]",
                "{app=\"kubelet\", host=\"node-2\"}")));

        var expected = logs.Logs.Where(l => l.Namespace == "db" || (l.App == "kubelet" && l.Host == "node-2"))
            .Select(l => BruteForce.Key(LokiLogs.LabelsOf(l))).Distinct().Order(StringComparer.Ordinal);
        var actual = data.EnumerateArray()
            .Select(s => BruteForce.Key(s.EnumerateObject().Select(p => new KeyValuePair<string, string>(p.Name, p.Value.GetString()!))))
            .ToList();
        Assert.Equal(expected, actual.Order(StringComparer.Ordinal));
        Assert.Equal(actual.Count, actual.Distinct().Count());
    }

    [Fact]
    public async Task AQueryRangePostedAsAFormAnswersAsTheGetDoes()
    {
        using var http = logs.Client();
        var (start, end) = LokiLogs.Everything;
        (string, string)[] form = [("query", "{namespace=\"db\"} |= \"GET\""), ("start", LokiLogs.Ns(start)), ("end", LokiLogs.Ns(end)),
            ("limit", "1000")];

        using var posted = await http.PostAsync("/loki/api/v1/query_range",
            new FormUrlEncodedContent(form.Select(f => new KeyValuePair<string, string>(f.Item1, f.Item2))));
        string postedText = await posted.Content.ReadAsStringAsync();
        var (status, _, gotText, _) = await LokiLogs.GetAsync(http, Url("/loki/api/v1/query_range", form));

        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(gotText, postedText);
        Assert.Equal(logs.Logs.Count(l => l.Namespace == "db" && l.Body.Contains("GET", StringComparison.Ordinal)),
            postedText.Split("seq=").Length - 1);
    }

    [Fact]
    public async Task IndexStatsAndVolumeCountTheMatchingLinesAndBytes()
    {
        using var http = logs.Client();
        var lines = await AllLinesAsync(http);
        var (start, end) = LokiLogs.Everything;
        var web = lines.Where(l => l.Labels.GetValueOrDefault("namespace") == "web").ToList();

        var (status, media, text, stats) = await LokiLogs.GetAsync(http, Url(
            "/loki/api/v1/index/stats", ("query", "{namespace=\"web\"}"), ("start", LokiLogs.Ns(start)), ("end", LokiLogs.Ns(end))));
        var volume = await LokiLogs.DataAsync(http, Url(
            "/loki/api/v1/index/volume", ("query", "{namespace=~\".+\"}"), ("start", LokiLogs.Ns(start)), ("end", LokiLogs.Ns(end))));

        Assert.True(status == HttpStatusCode.OK, text);
        Assert.Equal("application/json", media);
        Assert.Equal(["streams", "chunks", "bytes", "entries"], stats.EnumerateObject().Select(p => p.Name));
        Assert.Equal(web.Select(l => BruteForce.Key(l.Labels)).Distinct().Count(), stats.GetProperty("streams").GetInt32());
        Assert.Equal(web.Count, stats.GetProperty("entries").GetInt32());
        Assert.Equal(web.Sum(l => l.Bytes), stats.GetProperty("bytes").GetInt64());
        Assert.True(stats.GetProperty("chunks").GetInt32() >= 1);

        Assert.Equal("vector", volume.GetProperty("resultType").GetString());
        var expected = lines.Where(l => l.Labels.ContainsKey("namespace")).GroupBy(l => l.Labels["namespace"])
            .OrderByDescending(g => g.Sum(l => l.Bytes)).Select(g => ($"namespace={g.Key}",
                g.Sum(l => l.Bytes).ToString(CultureInfo.InvariantCulture)));
        Assert.Equal(
            expected,
            volume.GetProperty("result").EnumerateArray().Select(s => (
                BruteForce.Key(s.GetProperty("metric").EnumerateObject().Select(p => new KeyValuePair<string, string>(p.Name, p.Value.GetString()!))),
                s.GetProperty("value")[1].GetString()!)));
    }

    /// <summary>
    /// logcli's <c>volume_range</c> and <c>volume</c> (pkg/logcli/client/client.go GetVolume): <c>step</c> in whole
    /// seconds, <c>targetLabels</c> comma-separated, <c>aggregateBy=labels</c>.
    /// </summary>
    [Fact]
    public async Task LogcliVolumeRangeAndVolumeByLabelsCountTheBytesOfTheMatchingLines()
    {
        using var http = logs.Client();
        var lines = await AllLinesAsync(http);
        long start = LokiLogs.EpochNs - 600_000_000_000, end = LokiLogs.EpochNs + 3_000_000_000_000, step = 600_000_000_000;

        var range = await LokiLogs.DataAsync(http, Url(
            "/loki/api/v1/index/volume_range",
            ("start", LokiLogs.Ns(start)), ("end", LokiLogs.Ns(end)), ("query", "{host=~\"node-.*\"}"), ("limit", "100"), ("step", "600"),
            ("targetLabels", "namespace")));
        var byLabels = await LokiLogs.DataAsync(http, Url(
            "/loki/api/v1/index/volume",
            ("start", LokiLogs.Ns(LokiLogs.Everything.Start)), ("end", LokiLogs.Ns(LokiLogs.Everything.End)), ("query", "{host=~\"node-.*\"}"),
            ("limit", "100"), ("targetLabels", "app,namespace"), ("aggregateBy", "labels")));

        var times = Steps(start, end, step);
        var expected = BruteForce.Evaluate(
            lines, l => l.Labels["host"].StartsWith("node-", StringComparison.Ordinal), "bytes_over_time", step, times, "sum", ["namespace"]);
        Assert.True(expected.Count >= 3, "several namespaces");
        BruteForce.Equal(expected, BruteForce.FromMatrix(range, times));

        Assert.Equal("vector", byLabels.GetProperty("resultType").GetString());
        long Bytes(string label) => lines.Where(l => l.Labels["host"].StartsWith("node-", StringComparison.Ordinal) && l.Labels.ContainsKey(label))
            .Sum(l => l.Bytes);
        var expectedLabels = new[] { ("app", Bytes("app")), ("namespace", Bytes("namespace")) }.OrderByDescending(v => v.Item2);
        Assert.Equal(
            expectedLabels.Select(v => ($"{v.Item1}=", v.Item2.ToString(CultureInfo.InvariantCulture))),
            byLabels.GetProperty("result").EnumerateArray().Select(s => (
                BruteForce.Key(s.GetProperty("metric").EnumerateObject().Select(p => new KeyValuePair<string, string>(p.Name, p.Value.GetString()!))),
                s.GetProperty("value")[1].GetString()!)));
    }

    [Fact]
    public async Task BuildInfoAndReadyAnswerAsLokisDo()
    {
        using var http = logs.Client();

        var (status, media, text, info) = await LokiLogs.GetAsync(http, "/loki/api/v1/status/buildinfo");
        using var ready = await logs.Client(token: null).GetAsync("/ready");

        Assert.True(status == HttpStatusCode.OK, text);
        Assert.Equal("application/json", media);
        Assert.Equal(["version", "revision", "branch", "buildUser", "buildDate", "goVersion"], info.EnumerateObject().Select(p => p.Name));
        Assert.False(string.IsNullOrEmpty(info.GetProperty("version").GetString()));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ready\n", await ready.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/loki/api/v1/nope", HttpStatusCode.NotFound, "404 page not found\n")]
    [InlineData("/loki/api/v1/query_range?query=sum(rate(%7Bapp%3D%22x%22%7D))", HttpStatusCode.BadRequest,
        "parse error at line 1, col 19: expected a range such as [5m] after the log query\n")]
    [InlineData("/loki/api/v1/query?query=%7Bapp%3D%22x%22", HttpStatusCode.BadRequest,
        "parse error at line 1, col 9: the selector is not closed: expected '}', found the end of the query\n")]
    [InlineData("/loki/api/v1/query?query=label_replace(x)", HttpStatusCode.BadRequest,
        "parse error at line 1, col 1: unsupported function 'label_replace': supported are count_over_time, rate, bytes_over_time, "
        + "bytes_rate, absent_over_time, sum_over_time, avg_over_time, min_over_time, max_over_time, stddev_over_time, stdvar_over_time, "
        + "quantile_over_time, first_over_time, last_over_time, sum, count, min, max, avg, stddev, stdvar, topk, bottomk, sort, "
        + "sort_desc and vector\n")]
    [InlineData("/loki/api/v1/query?query=topk(0%2C%20vector(1))", HttpStatusCode.BadRequest,
        "parse error at line 1, col 6: invalid parameter (must be greater than 0) topk(0\n")]
    [InlineData("/loki/api/v1/query_range?query=vector(1)&start=0&end=1000000&step=1", HttpStatusCode.BadRequest,
        "exceeded maximum resolution of 11000 points per timeseries. Try decreasing the query resolution (?step=XX)\n")]
    [InlineData("/loki/api/v1/query_range?query=vector(1)&step=0", HttpStatusCode.BadRequest,
        "zero or negative query resolution step widths are not accepted. Try a positive integer\n")]
    [InlineData("/loki/api/v1/query_range?query=", HttpStatusCode.BadRequest,
        "parse error : syntax error: unexpected $end: the 'query' parameter is empty or missing\n")]
    [InlineData("/loki/api/v1/tail?query=%7Bapp%3D%22x%22", HttpStatusCode.BadRequest,
        "parse error at line 1, col 9: the selector is not closed: expected '}', found the end of the query\n")]
    [InlineData("/loki/api/v1/tail?query=%7Bapp%3D%22x%22%7D&delay_for=6", HttpStatusCode.BadRequest, "delay_for can't be greater than 5\n")]
    [InlineData("/loki/api/v1/tail?query=%7Bapp%3D%22x%22%7D&delay_for=soon", HttpStatusCode.BadRequest,
        "strconv.Atoi: parsing \"soon\": invalid syntax\n")]
    public async Task BadRequestsGetLokisPlainTextErrors(string url, HttpStatusCode expected, string message)
    {
        using var http = logs.Client();

        var (status, media, text, _) = await LokiLogs.GetAsync(http, url);

        Assert.Equal(expected, status);
        Assert.Equal("text/plain", media);
        Assert.Equal(message, text);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token")]
    public async Task WithoutTheRightBearerTokenEveryLokiRouteIs401(string? token)
    {
        using var http = logs.Client(token);
        foreach (string path in new[] { "/loki/api/v1/query_range", "/loki/api/v1/query", "/loki/api/v1/labels", "/loki/api/v1/series",
            "/loki/api/v1/label/pod/values", "/loki/api/v1/tail", "/loki/api/v1/index/stats", "/loki/api/v1/index/volume",
            "/loki/api/v1/index/volume_range", "/loki/api/v1/status/buildinfo", "/loki/api/v1/nope" })
        {
            var (status, media, text, _) = await LokiLogs.GetAsync(http, path + "?query=vector(1)");

            Assert.Equal(HttpStatusCode.Unauthorized, status);
            Assert.Equal("text/plain", media);
            Assert.StartsWith("Unauthorized", text, StringComparison.Ordinal);
        }
    }

    private static long[] Steps(long start, long end, long step) =>
        Enumerable.Range(0, (int)((end - start) / step) + 1).Select(k => start + (k * step)).ToArray();

    /// <summary>Every stored line through the API's log answer, each checked against what was sent.</summary>
    private async Task<List<KnownLine>> AllLinesAsync(HttpClient http)
    {
        var (start, end) = LokiLogs.Everything;
        var data = await LokiLogs.DataAsync(http, Url(
            "/loki/api/v1/query_range", ("query", "{host=~\".+\"}"), ("start", LokiLogs.Ns(start)), ("end", LokiLogs.Ns(end)), ("limit",
                "5000"), ("direction", "forward")));
        var lines = new List<KnownLine>();
        foreach (var stream in data.GetProperty("result").EnumerateArray())
        {
            foreach (var value in stream.GetProperty("values").EnumerateArray())
            {
                string line = value[1].GetString()!;
                var log = logs.Logs[GeneratedLogs.SeqOf(line)];
                Assert.Equal(log.TimeNs, long.Parse(value[0].GetString()!, CultureInfo.InvariantCulture));
                lines.Add(new KnownLine(log.TimeNs, LokiLogs.LabelsOf(log), BruteForce.Utf8Length(line), log.Seq));
            }
        }

        Assert.Equal(Enumerable.Range(0, LokiLogs.Count), lines.Select(l => l.Seq).Order());
        return lines;
    }
}
