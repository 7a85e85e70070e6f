using System.Text.Json;
using Collector.Sources;

namespace Collector.Api;

/// <summary>
/// <c>GET /api/v1/sources?since=1h</c>: per source of origin-tagged lines (docs/sources.md), where it comes from, the
/// first and last position stored, lines stored, re-sends dropped, gaps (count, bytes and the latest ranges) and
/// when it was last seen; <c>since</c> keeps the sources seen within that long (default: all remembered).
/// </summary>
public sealed class SourceEndpoints(SourceLedger ledger, SourceMarks marks, TimeProvider time)
{
    public async Task ListAsync(HttpContext context)
    {
        var parameters = new ApiParameters(context, time);
        var since = parameters.Duration("since");
        long after = since is { } s ? time.GetUtcNow().ToUnixTimeMilliseconds() - (long)s.TotalMilliseconds : long.MinValue;
        var sources = ledger.Snapshot()
            .Select(r => (Record: r, Ingest: marks.Get(r.Id)))
            .Select(x => (x.Record, x.Ingest.Duplicates, LastSeen: Math.Max(x.Ingest.LastSeen, x.Record.LastStored)))
            .Where(x => x.LastSeen >= after)
            .OrderBy(x => x.Record.Node, StringComparer.Ordinal)
            .ThenBy(x => x.Record.Namespace, StringComparer.Ordinal)
            .ThenBy(x => x.Record.Pod, StringComparer.Ordinal)
            .ThenBy(x => x.Record.Container, StringComparer.Ordinal)
            .ThenBy(x => x.Record.First)
            .ToList();

        context.Response.ContentType = "application/json";
        using (var json = new Utf8JsonWriter(context.Response.BodyWriter, ApiJson.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("status", "success");
            json.WriteStartObject("data");
            json.WriteStartObject("totals");
            json.WriteNumber("sources", ledger.Count);
            json.WriteNumber("duplicates", marks.Duplicates);
            json.WriteNumber("gaps", ledger.Gaps);
            json.WriteNumber("gapBytes", ledger.GapBytes);
            json.WriteNumber("malformedOrigins", marks.Malformed);
            json.WriteNumber("rejectedOrigins", marks.Rejected);
            json.WriteEndObject();
            json.WriteStartArray("sources");
            foreach (var (record, duplicates, lastSeen) in sources)
            {
                Write(json, record, duplicates, lastSeen);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static void Write(Utf8JsonWriter json, SourceRecord r, long duplicates, long lastSeen)
    {
        json.WriteStartObject();
        json.WriteString("id", Origin.FormatId(r.Id));
        json.WriteString("node", r.Node);
        WriteOptional(json, "path", r.Path);
        WriteOptional(json, "namespace", r.Namespace);
        WriteOptional(json, "pod", r.Pod);
        WriteOptional(json, "container", r.Container);
        WriteOptional(json, "app", r.App);
        json.WriteNumber("first", r.First);
        json.WriteNumber("last", r.State.Mark);
        json.WriteNumber("lines", r.Lines);
        json.WriteNumber("duplicates", duplicates);
        json.WriteStartObject("gaps");
        json.WriteNumber("count", r.Gaps);
        json.WriteNumber("bytes", r.GapBytes);
        json.WriteStartArray("ranges");
        foreach (var gap in r.GapRanges)
        {
            json.WriteStartObject();
            json.WriteNumber("from", gap.From);
            if (gap.To < 0)
            {
                // The file was deleted before it was read to its end: where the gap ends is not known.
                json.WriteNull("to");
            }
            else
            {
                json.WriteNumber("to", gap.To);
            }

            json.WriteString("found", ApiJson.Rfc3339(gap.At * 1_000_000));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteNumber("rejected", r.Rejected);
        json.WriteString("lastSeen", ApiJson.Rfc3339(lastSeen * 1_000_000));
        json.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }
}
