using System.Text.Json;
using Collector.Configuration;
using Collector.Search;

namespace Collector.Api;

/// <summary>
/// <c>/api/v1/query_range</c> (Loki's response shape, plus a cursor and stats), <c>/api/v1/labels</c>,
/// <c>/api/v1/label/{name}/values</c>.
/// </summary>
public sealed class SearchEndpoints(SearchEngine engine, CollectorOptions options, TimeProvider time)
{
    public async Task QueryRangeAsync(HttpContext context)
    {
        var p = new ApiParameters(context, time);
        var query = p.Query();
        var (start, end) = p.Range(TimeSpan.FromHours(1));
        int limit = p.Limit("limit", 100);
        bool backward = p.Backward();
        SearchPosition? cursor = null;
        if (p.Text("cursor") is { Length: > 0 } text)
        {
            cursor = SearchPosition.TryParseCursor(text, backward, out var position)
                ? position
                : throw ProblemException.BadRequest($"cursor must be a cursor returned by a query in the same direction, was '{text}'");
        }

        SearchResult result;
        try
        {
            result = await engine.SearchAsync(
                new SearchRequest(query, start, end, limit, backward) { Cursor = cursor, Budget = options.QueryTimeout },
                context.RequestAborted).ConfigureAwait(false);
        }
        catch (CursorException ex)
        {
            throw ProblemException.BadRequest(
                "cursor must be a cursor returned by a query in the same direction, " +
                $"was '{p.Text("cursor")}': {ex.Message}");
        }

        context.Response.ContentType = "application/json";
        using (var json = new Utf8JsonWriter(context.Response.BodyWriter, ApiJson.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("status", "success");
            json.WriteStartObject("data");
            json.WriteString("resultType", "streams");
            json.WriteStartArray("result");

            // Loki groups entries by label set; within a stream they keep the search order.
            foreach (var stream in result.Entries.GroupBy(e => string.Join('\u001f', e.Labels)))
            {
                json.WriteStartObject();
                ApiJson.WriteLabels(json, "stream", stream.First().Labels);
                json.WriteStartArray("values");
                foreach (var entry in stream)
                {
                    ApiJson.WriteValue(json, entry);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            WriteStats(json, result);
            if (result.Next is { } next)
            {
                json.WriteString("cursor", next.ToCursor(backward));
            }
            else
            {
                json.WriteNull("cursor");
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    public async Task LabelsAsync(HttpContext context)
    {
        var p = new ApiParameters(context, time);
        var (start, end) = p.Range(TimeSpan.FromHours(6));
        var values = await engine.LabelValuesAsync(start, end, context.RequestAborted).ConfigureAwait(false);
        var names = values.Names.Order(StringComparer.Ordinal);
        await WriteDataAsync(context, names).ConfigureAwait(false);
    }

    public async Task LabelValuesAsync(HttpContext context)
    {
        string name = context.Request.RouteValues["name"] as string ?? string.Empty;
        var p = new ApiParameters(context, time);
        var (start, end) = p.Range(TimeSpan.FromHours(6));

        // A fixed label or a pod label; Loki answers a label it does not know with no values.
        var values = await engine.LabelValuesAsync(start, end, context.RequestAborted).ConfigureAwait(false);
        await WriteDataAsync(context, values.Of(name).Order(StringComparer.Ordinal)).ConfigureAwait(false);
    }

    private static async Task WriteDataAsync(HttpContext context, IEnumerable<string> data)
    {
        context.Response.ContentType = "application/json";
        using (var json = new Utf8JsonWriter(context.Response.BodyWriter, ApiJson.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("status", "success");
            json.WriteStartArray("data");
            foreach (string value in data)
            {
                json.WriteStringValue(value);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static void WriteStats(Utf8JsonWriter json, SearchResult result)
    {
        var s = result.Stats;
        json.WriteStartObject("stats");
        json.WriteNumber("entries", result.Entries.Count);
        json.WriteNumber("bytesScanned", s.BytesScanned);
        json.WriteNumber("bytesSkippedInGzip", s.BytesSkippedInGzip);
        json.WriteNumber("linesScanned", s.LinesScanned);
        json.WriteNumber("files", s.Files);
        json.WriteNumber("blocks", s.Blocks);
        json.WriteNumber("blocksSkipped", s.BlocksSkipped);
        json.WriteBoolean("partial", s.Partial);
        json.WriteNumber("durationSeconds", s.Duration.TotalSeconds);
        json.WriteEndObject();
    }
}
