using System.Globalization;
using System.Text.Json;
using Collector.Search;
using Collector.Search.Metrics;

namespace Collector.Api.Loki;

/// <summary>
/// Loki's response bodies (docs/sources/reference/loki-http-api.md): <c>{"status":"success","data":…}</c> with
/// <c>streams</c> (values <c>["ns","line"]</c>), <c>matrix</c> (values <c>[seconds,"value"]</c>), <c>vector</c>
/// (<c>value</c>) or <c>scalar</c> results.
/// </summary>
public static class LokiJson
{
    public static async Task WriteAsync(HttpContext context, Action<Utf8JsonWriter> data)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        using (var json = new Utf8JsonWriter(context.Response.BodyWriter, ApiJson.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("status", "success");
            json.WritePropertyName("data");
            data(json);
            json.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// Entries already in result order; each stream keeps that order. After a pipeline a stream is a full label set,
    /// extracted labels included, as in Loki.
    /// </summary>
    public static void WriteStreams(Utf8JsonWriter json, List<LogEntry> entries)
    {
        json.WriteStartObject();
        json.WriteString("resultType", "streams");
        json.WriteStartArray("result");
        foreach (var stream in entries.GroupBy(e => e.PipelineLabels is { } piped ? LokiLabels.Key(piped) : string.Join('\u001f', e.Labels)))
        {
            json.WriteStartObject();
            var first = stream.First();
            WriteLabels(json, "stream", first.PipelineLabels ?? LokiLabels.Of(first.Labels));
            json.WriteStartArray("values");
            foreach (var entry in stream)
            {
                json.WriteStartArray();
                json.WriteStringValue(ApiJson.Nanoseconds(entry.TimeNs));
                json.WriteStringValue(entry.Line);
                json.WriteEndArray();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        WriteStats(json, entries.Count);
        json.WriteEndObject();
    }

    /// <summary>A range query's result: <c>matrix</c>, or <c>scalar</c> series as one matrix series without
    /// labels.</summary>
    public static void WriteMatrix(Utf8JsonWriter json, MetricResult result)
    {
        json.WriteStartObject();
        json.WriteString("resultType", "matrix");
        json.WriteStartArray("result");
        var series = result.Scalar is { } scalar ? [new MetricSeries([], [.. scalar.Select(v => (double?)v)])] : result.Series;
        foreach (var s in series.OrderBy(s => LokiLabels.Key(s.Labels), StringComparer.Ordinal))
        {
            json.WriteStartObject();
            WriteLabels(json, "metric", s.Labels);
            json.WriteStartArray("values");
            for (int k = 0; k < s.Values.Length; k++)
            {
                if (s.Values[k] is { } v)
                {
                    WritePoint(json, result.TimesNs[k], v);
                }
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        WriteStats(json, 0);
        json.WriteEndObject();
    }

    /// <summary>
    /// An instant query's result: <c>vector</c> (series sorted by labels unless <paramref name="keepOrder"/>), or
    /// <c>scalar</c> (<c>[seconds,"value"]</c>).
    /// </summary>
    public static void WriteInstant(Utf8JsonWriter json, MetricResult result, bool keepOrder = false)
    {
        json.WriteStartObject();
        if (result.Scalar is { } scalar)
        {
            json.WriteString("resultType", "scalar");
            json.WritePropertyName("result");
            WritePoint(json, result.TimesNs[0], scalar[0]);
        }
        else
        {
            json.WriteString("resultType", "vector");
            json.WriteStartArray("result");
            var present = result.Series.Where(s => s.Values[0].HasValue);
            foreach (var s in keepOrder ? present : present.OrderBy(s => LokiLabels.Key(s.Labels), StringComparer.Ordinal))
            {
                json.WriteStartObject();
                WriteLabels(json, "metric", s.Labels);
                json.WritePropertyName("value");
                WritePoint(json, result.TimesNs[0], s.Values[0]!.Value);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        WriteStats(json, 0);
        json.WriteEndObject();
    }

    public static void WriteLabels(Utf8JsonWriter json, string name, IEnumerable<KeyValuePair<string, string>> labels)
    {
        json.WriteStartObject(name);
        foreach (var (key, value) in labels)
        {
            json.WriteString(key, value);
        }

        json.WriteEndObject();
    }

    public static void WritePoint(Utf8JsonWriter json, long timeNs, double value)
    {
        json.WriteStartArray();
        // Prometheus times are milliseconds: Loki writes seconds with at most three decimals.
        json.WriteNumberValue(Math.Floor(timeNs / 1_000_000m) / 1000m);
        json.WriteStringValue(Format(value));
        json.WriteEndArray();
    }

    /// <summary>Go's strconv.FormatFloat(v, 'f', -1, 64), as Prometheus and Loki write sample values.</summary>
    public static string Format(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ when Math.Abs(value) < 7.9e27 && value.ToString("R", CultureInfo.InvariantCulture).Contains('E', StringComparison.Ordinal) =>
            ((decimal)value).ToString(CultureInfo.InvariantCulture),
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>Loki's <c>stats.summary</c> block, with what the Collector knows (Grafana reads it into query
    /// info).</summary>
    private static void WriteStats(Utf8JsonWriter json, long lines)
    {
        json.WriteStartObject("stats");
        json.WriteStartObject("summary");
        json.WriteNumber("totalEntriesReturned", lines);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
