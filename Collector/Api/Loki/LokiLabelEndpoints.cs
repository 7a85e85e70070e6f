using Collector.Search;
using Collector.Search.Metrics;
using Collector.Storage;

namespace Collector.Api.Loki;

/// <summary>
/// <c>/loki/api/v1/labels</c>, <c>/loki/api/v1/label/NAME/values</c> and <c>/loki/api/v1/series</c>. Without
/// <c>query</c> label names and values come from the index (no text read); with <c>query</c> (or for series) from the
/// matching lines of the range.
/// </summary>
public sealed class LokiLabelEndpoints(SearchEngine engine, StreamIndex streams, TimeProvider time)
{
    public async Task LabelsAsync(HttpContext context)
    {
        var request = await LokiRequest.ReadAsync(context, time).ConfigureAwait(false);
        var (start, end) = request.Parameters.Range(TimeSpan.FromHours(6));
        IEnumerable<string> names;
        if (request.Parameters.Text("query") is { Length: > 0 } query)
        {
            var totals = await streams.CollectAsync([LokiRequest.Selector(query)], start, end, context.RequestAborted).ConfigureAwait(false);
            names = totals.Streams.Values.SelectMany(s => s.Labels.Select(l => l.Key)).Distinct();
        }
        else
        {
            var values = await engine.LabelValuesAsync(start, end, context.RequestAborted).ConfigureAwait(false);
            names = values.Names;

            // level and detected_level exist for every line: shown as soon as there are lines.
            if (!values.IsEmpty)
            {
                names = names.Append(LokiLabels.Level).Append(LokiLabels.DetectedLevel);
            }
        }

        await WriteStringsAsync(context, names.Distinct().Order(StringComparer.Ordinal)).ConfigureAwait(false);
    }

    public async Task LabelValuesAsync(HttpContext context)
    {
        string name = context.Request.RouteValues["name"] as string ?? string.Empty;
        var request = await LokiRequest.ReadAsync(context, time).ConfigureAwait(false);
        var (start, end) = request.Parameters.Range(TimeSpan.FromHours(6));
        IEnumerable<string> values;
        if (request.Parameters.Text("query") is { Length: > 0 } query)
        {
            var totals = await streams.CollectAsync([LokiRequest.Selector(query)], start, end, context.RequestAborted).ConfigureAwait(false);
            values = totals.Streams.Values.SelectMany(s => s.Labels.Where(l => l.Key == name).Select(l => l.Value));
        }
        else if (name is LokiLabels.Level or LokiLabels.DetectedLevel)
        {
            var all = await engine.LabelValuesAsync(start, end, context.RequestAborted).ConfigureAwait(false);
            values = all[LogLabel.Severity].Select(LokiLabels.LevelOf);
        }
        else
        {
            // A fixed label or a pod label; Loki answers a label it does not know with no values.
            var all = await engine.LabelValuesAsync(start, end, context.RequestAborted).ConfigureAwait(false);
            values = all.Of(name);
        }

        await WriteStringsAsync(context, values.Distinct().Order(StringComparer.Ordinal)).ConfigureAwait(false);
    }

    public async Task SeriesAsync(HttpContext context)
    {
        var request = await LokiRequest.ReadAsync(context, time).ConfigureAwait(false);
        var (start, end) = request.Parameters.Range(TimeSpan.FromHours(1));
        var query = context.Request.Query;
        var selectors = query["match[]"].Concat(query["match"]).OfType<string>().Where(s => s.Length > 0).Select(LokiRequest.Selector).ToList();
        if (selectors.Count == 0)
        {
            selectors.Add(LogQuery.All);
        }

        var totals = await streams.CollectAsync(selectors, start, end, context.RequestAborted).ConfigureAwait(false);
        await LokiJson.WriteAsync(
            context,
            json =>
            {
                json.WriteStartArray();
                foreach (var stream in totals.Streams.Values.OrderBy(s => LokiLabels.Key(s.Labels), StringComparer.Ordinal))
                {
                    json.WriteStartObject();
                    foreach (var (key, value) in stream.Labels)
                    {
                        json.WriteString(key, value);
                    }

                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }).ConfigureAwait(false);
    }

    private static Task WriteStringsAsync(HttpContext context, IEnumerable<string> values) =>
        LokiJson.WriteAsync(
            context,
            json =>
            {
                json.WriteStartArray();
                foreach (string value in values)
                {
                    json.WriteStringValue(value);
                }

                json.WriteEndArray();
            });
}
