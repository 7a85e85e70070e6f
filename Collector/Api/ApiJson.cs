using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Collector.Search.Metrics;
using Collector.Storage;

namespace Collector.Api;

/// <summary>
/// JSON written by hand with <see cref="Utf8JsonWriter"/> (no reflection: the Collector is compiled ahead of time).
/// </summary>
public static class ApiJson
{
    /// <summary>
    /// Log lines keep their UTF-8 (no \u escapes for non-ASCII); these are API responses, never HTML.
    /// </summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    public static void WriteLabels(Utf8JsonWriter json, string name, string[] labels)
    {
        json.WriteStartObject(name);
        WriteLabelProperties(json, labels);
        json.WriteEndObject();
    }

    public static void WriteLabelProperties(Utf8JsonWriter json, string[] labels)
    {
        foreach (var (name, value) in LogLabels.Pairs(labels))
        {
            json.WriteString(name, value);
        }
    }

    /// <summary>One entry of a stream's <c>values</c>: <c>["NANOSECONDS", "LINE", {metadata}]</c>.</summary>
    public static void WriteValue(Utf8JsonWriter json, Search.LogEntry entry)
    {
        json.WriteStartArray();
        json.WriteStringValue(Nanoseconds(entry.TimeNs));
        json.WriteStringValue(entry.Line);
        WriteEntryMetadata(json, entry);
        json.WriteEndArray();
    }

    /// <summary>
    /// The third element of a Loki <c>values</c> entry, the place Loki gives per-entry metadata:
    /// <c>{"message":"…"}</c>, the message with its real newlines. Clients that read the first two elements are
    /// unaffected. After a pipeline, <c>"parsed"</c> holds the labels its stages added or changed (<c>| json</c>,
    /// <c>| logfmt</c>, <c>label_format</c>, <c>__error__</c>), as Loki's categorize-labels encoding names them.
    /// </summary>
    private static void WriteEntryMetadata(Utf8JsonWriter json, Search.LogEntry entry)
    {
        json.WriteStartObject();
        json.WriteString("message", entry.Message);
        if (entry.PipelineLabels is { } piped)
        {
            var stream = LokiLabels.Of(entry.Labels).ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal);
            json.WriteStartObject("parsed");
            foreach (var (name, value) in piped)
            {
                if (!stream.TryGetValue(name, out string? before) || before != value)
                {
                    json.WriteString(name, value);
                }
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    public static string Nanoseconds(long ns) => ns.ToString(CultureInfo.InvariantCulture);

    /// <summary>RFC 3339 in UTC with nanoseconds, as Loki and kubectl print them.</summary>
    public static string Rfc3339(long ns)
    {
        var time = DateTimeOffset.UnixEpoch.AddTicks(ns / 100);
        return $"{time:yyyy-MM-ddTHH:mm:ss}.{(ns % 1_000_000_000 + 1_000_000_000) % 1_000_000_000:D9}Z";
    }
}
