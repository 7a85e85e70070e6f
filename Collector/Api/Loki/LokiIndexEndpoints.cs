using System.Reflection;
using Collector.Search;
using Collector.Search.Metrics;

namespace Collector.Api.Loki;

/// <summary>
/// <c>/loki/api/v1/index/stats</c>, <c>/loki/api/v1/index/volume</c>, <c>/loki/api/v1/index/volume_range</c> and
/// <c>/loki/api/v1/status/buildinfo</c>. Volumes are the bytes of the matching lines per series of the target labels
/// (by default the labels the selector names), as Loki's are.
/// </summary>
public sealed class LokiIndexEndpoints(StreamIndex streams, MetricEvaluator metrics, TimeProvider time)
{
    private const int DefaultVolumeLimit = 100;

    public async Task StatsAsync(HttpContext context)
    {
        var request = await LokiRequest.ReadAsync(context, time).ConfigureAwait(false);
        var query = Selector(request);
        var (start, end) = request.Parameters.Range(TimeSpan.FromHours(1));
        var totals = await streams.CollectAsync([query], start, end, context.RequestAborted).ConfigureAwait(false);

        // Not wrapped in status/data: Loki answers this route with the bare object.
        context.Response.ContentType = "application/json; charset=utf-8";
        using (var json = new System.Text.Json.Utf8JsonWriter(context.Response.BodyWriter, ApiJson.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteNumber("streams", totals.Streams.Count);
            json.WriteNumber("chunks", totals.Chunks);
            json.WriteNumber("bytes", totals.Streams.Values.Sum(s => s.Bytes));
            json.WriteNumber("entries", totals.Streams.Values.Sum(s => s.Entries));
            json.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    public async Task VolumeAsync(HttpContext context)
    {
        var request = await LokiRequest.ReadAsync(context, time).ConfigureAwait(false);
        var query = Selector(request);
        var (start, end) = request.Parameters.Range(TimeSpan.FromHours(1));
        int limit = request.Parameters.Limit("limit", DefaultVolumeLimit);
        var (targets, byLabels) = Aggregation(request, query);
        var totals = await streams.CollectAsync([query], start, end, context.RequestAborted).ConfigureAwait(false);

        var volumes = new Dictionary<string, (KeyValuePair<string, string>[] Labels, long Bytes)>(StringComparer.Ordinal);
        foreach (var stream in totals.Streams.Values)
        {
            var kept = stream.Labels.Where(l => targets.Contains(l.Key)).ToArray();
            var groups = byLabels ? kept.Select(l => new KeyValuePair<string, string>[] { new(l.Key, string.Empty) }) : [kept];
            foreach (var labels in groups.Where(g => g.Length > 0))
            {
                string key = LokiLabels.Key(labels);
                volumes[key] = (labels, (volumes.TryGetValue(key, out var v) ? v.Bytes : 0) + stream.Bytes);
            }
        }

        var series = volumes.Values.OrderByDescending(v => v.Bytes).ThenBy(v => LokiLabels.Key(v.Labels), StringComparer.Ordinal).Take(limit)
            .Select(v => new MetricSeries(v.Labels, [v.Bytes])).ToList();
        var result = new MetricResult([end], null, series);

        // Largest first, as Loki lists volumes.
        await LokiJson.WriteAsync(context, json => LokiJson.WriteInstant(json, result, keepOrder: true)).ConfigureAwait(false);
    }

    public async Task VolumeRangeAsync(HttpContext context)
    {
        var request = await LokiRequest.ReadAsync(context, time).ConfigureAwait(false);
        var query = Selector(request);
        var (start, end) = request.Parameters.Range(TimeSpan.FromHours(1));
        long step = request.Step(start, end);
        var (targets, byLabels) = Aggregation(request, query);
        if (byLabels)
        {
            throw ProblemException.BadRequest("aggregateBy=labels is supported by index/volume only, not by index/volume_range");
        }

        // Bytes per step: the sum of each target series' lines in (t − step, t].
        var node = new AggregateNode(AggregateOp.Sum, new RangeNode(RangeFunction.BytesOverTime, query, step, 0), [.. targets], Without: false);
        MetricResult result;
        try
        {
            result = await metrics.EvaluateAsync(node, start, end, step, context.RequestAborted).ConfigureAwait(false);
        }
        catch (MetricLimitException ex)
        {
            throw ProblemException.BadRequest(ex.Message);
        }

        await LokiJson.WriteAsync(context, json => LokiJson.WriteMatrix(json, result)).ConfigureAwait(false);
    }

    public static Task BuildInfoAsync(HttpContext context)
    {
        string version = typeof(LokiIndexEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? "unknown";
        return WriteBuildInfoAsync(context, version);
    }

    private static async Task WriteBuildInfoAsync(HttpContext context, string version)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        using (var json = new System.Text.Json.Utf8JsonWriter(context.Response.BodyWriter, ApiJson.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("version", version);
            json.WriteString("revision", string.Empty);
            json.WriteString("branch", string.Empty);
            json.WriteString("buildUser", string.Empty);
            json.WriteString("buildDate", string.Empty);
            json.WriteString("goVersion", string.Empty);
            json.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static LogQuery Selector(LokiRequest request) =>
        request.Parameters.Text("query") is { Length: > 0 } text
            ? LokiRequest.Selector(text)
            : throw ProblemException.BadRequest("query is required: a stream selector such as {namespace=\"web\"}");

    /// <summary>targetLabels, or the labels the selector names; aggregateBy series (default) or labels.</summary>
    private static (HashSet<string> Targets, bool ByLabels) Aggregation(LokiRequest request, LogQuery query)
    {
        var targets = request.Parameters.Text("targetLabels") is { Length: > 0 } list
            ? list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal)
            : query.Terms.SelectMany(t => t.Matchers).Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        bool byLabels = request.Parameters.Text("aggregateBy")?.ToLowerInvariant() switch
        {
            null or "" or "series" => false,
            "labels" => true,
            var other => throw ProblemException.BadRequest($"aggregateBy must be series or labels, was '{other}'"),
        };
        return (targets, byLabels);
    }
}
