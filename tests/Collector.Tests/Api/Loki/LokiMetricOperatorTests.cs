using System.Globalization;

namespace Collector.Tests.Api.Loki;

/// <summary>
/// The metric operators added for issue 17 part 2, through /loki/api/v1/query over real stored files (PipelineLogs:
/// five lines in namespace web, one in db, all inside the minute before the query time): topk/bottomk, stddev/stdvar,
/// sort/sort_desc, comparisons with and without bool, ^, and/or/unless, absent_over_time, by after an unwrapped
/// range function, and a selector label no stream has.
/// </summary>
public sealed class LokiMetricOperatorTests(PipelineLogs logs) : IClassFixture<PipelineLogs>
{
    private const string PerNamespace = "sum by (namespace) (count_over_time({namespace=~\".+\"}[1m]))";

    private static readonly string At = (PipelineLogs.EpochNs + 30_000_000_000).ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The instant vector: the value of <paramref name="label"/> ("" when absent) and the value, in answer order.
    /// </summary>
    private async Task<List<(string Label, double Value)>> VectorAsync(string query, string label = "namespace")
    {
        using var http = logs.Client();
        var data = await LokiLogs.DataAsync(
            http, $"/loki/api/v1/query?time={At}&query={Uri.EscapeDataString(query)}");
        Assert.Equal("vector", data.GetProperty("resultType").GetString());
        return [.. data.GetProperty("result").EnumerateArray().Select(r => (
            r.GetProperty("metric").TryGetProperty(label, out var v) ? v.GetString()! : "",
            double.Parse(r.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture)))];
    }

    private async Task<List<(string Label, double Value)>> SortedAsync(string query, string label = "namespace") =>
        [.. (await VectorAsync(query, label)).OrderBy(v => v.Label, StringComparer.Ordinal)];

    [Fact]
    public async Task TopkAndBottomkKeepTheLargestAndSmallestSeriesWithTheirLabels()
    {
        Assert.Equal([("web", 5.0)], await VectorAsync($"topk(1, {PerNamespace})"));
        Assert.Equal([("db", 1.0)], await VectorAsync($"bottomk(1, {PerNamespace})"));
        Assert.Equal([("db", 1.0), ("web", 5.0)], await SortedAsync($"topk(5, {PerNamespace})"));

        // Grouped: the largest per namespace is each namespace's only series.
        Assert.Equal([("db", 1.0), ("web", 5.0)], await SortedAsync($"topk by (namespace) (1, {PerNamespace})"));
    }

    [Fact]
    public async Task StddevAndStdvarAreThePopulationDeviationAndVariance()
    {
        Assert.Equal([("", 2.0)], await VectorAsync($"stddev({PerNamespace})"));
        Assert.Equal([("", 4.0)], await VectorAsync($"stdvar({PerNamespace})"));
    }

    [Fact]
    public async Task SortAndSortDescOrderTheSeriesByValue()
    {
        Assert.Equal([("db", 1.0), ("web", 5.0)], await VectorAsync($"sort({PerNamespace})"));
        Assert.Equal([("web", 5.0), ("db", 1.0)], await VectorAsync($"sort_desc({PerNamespace})"));
    }

    [Fact]
    public async Task ComparisonsFilterOrWithBoolAnswerZeroOrOne()
    {
        Assert.Equal([("web", 5.0)], await VectorAsync($"{PerNamespace} > 2"));
        Assert.Equal([("db", 1.0)], await VectorAsync($"2 > {PerNamespace}"));
        Assert.Equal([("db", 0.0), ("web", 1.0)], await SortedAsync($"{PerNamespace} > bool 2"));
        Assert.Equal([("db", 1.0)], await VectorAsync($"{PerNamespace} == 1"));
        Assert.Equal([("db", 1.0), ("web", 5.0)], await SortedAsync($"{PerNamespace} >= {PerNamespace}"));
        Assert.Empty(await VectorAsync($"{PerNamespace} != {PerNamespace}"));
        Assert.Equal([("db", 1.0), ("web", 25.0)], await SortedAsync($"{PerNamespace} ^ 2"));
    }

    [Fact]
    public async Task AndOrUnlessMatchSeriesOnTheirLabelSets()
    {
        const string Web = "sum by (namespace) (count_over_time({namespace=\"web\"}[1m]))";
        Assert.Equal([("web", 5.0)], await VectorAsync($"{PerNamespace} and {Web}"));
        Assert.Equal([("db", 1.0)], await VectorAsync($"{PerNamespace} unless {Web}"));
        Assert.Equal([("db", 1.0), ("web", 5.0)], await SortedAsync($"{Web} or {PerNamespace}"));
    }

    [Fact]
    public async Task AbsentOverTimeIsOneUnderTheSelectorsLabelsOnlyWhenNothingMatched()
    {
        Assert.Equal([("nosuch", 1.0)], await VectorAsync("absent_over_time({namespace=\"nosuch\"}[1m])"));
        Assert.Empty(await VectorAsync("absent_over_time({namespace=\"web\"}[1m])"));
        Assert.Equal([("", 1.0)], await VectorAsync("absent_over_time({job=\"mysql\"}[1m])"));
    }

    [Fact]
    public async Task ByAfterAnUnwrappedRangeFunctionGroupsTheSamplesFirst()
    {
        // web's JSON lines have status 200, 503, 500; db's one 502.
        Assert.Equal(
            [("db", 502.0), ("web", 401.0)],
            await SortedAsync("avg_over_time({namespace=~\".+\"} | json | __error__=\"\" | unwrap status [1m]) by (namespace)"));
        Assert.Equal(
            [("", 200.0)],
            await VectorAsync("min_over_time({namespace=~\".+\"} | json | __error__=\"\" | unwrap status [1m]) without (namespace, "
                + "app, container, detected_level, host, level, level_extracted, method, path, pod, severity, latency)"));
    }

    [Fact]
    public async Task ASelectorLabelNoStreamHasIsEmptyAsInLoki()
    {
        Assert.Empty(await VectorAsync("sum(count_over_time({job=\"mysql\"}[1m]))"));
        Assert.Equal([("", 5.0)], await VectorAsync("sum(count_over_time({namespace=\"web\", job!=\"mysql\"}[1m]))"));
    }
}
