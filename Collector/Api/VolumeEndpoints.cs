using System.Globalization;
using System.Text.Json;
using Collector.Search;
using Collector.Storage;

namespace Collector.Api;

/// <summary>
/// <c>/api/v1/volume_range</c>: how many lines match per step, one series per severity (Loki's matrix shape; each
/// value is <c>[bucket start in Unix seconds, "count"]</c>, empty buckets left out). Answered from the block index
/// (its lines per label value and severity) where a block lies in one step and the query lets the index decide
/// (<see cref="VolumeCounter"/>); other candidate blocks are read.
/// </summary>
public sealed class VolumeEndpoints(VolumeCounter counter, TimeProvider time)
{
    /// <summary>Loki's limit on points per series.</summary>
    public const int MaxBuckets = 11_000;

    public async Task VolumeRangeAsync(HttpContext context)
    {
        var p = new ApiParameters(context, time);
        var query = p.Query();
        var (start, end) = p.Range(TimeSpan.FromHours(1));
        long step = Step(p.Text("step"), end - start);
        if ((end - start + step - 1) / step > MaxBuckets)
        {
            throw ProblemException.BadRequest($"step is too small: (end - start) / step must be at most {MaxBuckets}, was step={p.Text("step")}");
        }

        long started = time.GetTimestamp();
        var result = await counter.CountAsync(query, start, end, step, context.RequestAborted).ConfigureAwait(false);
        var elapsed = time.GetElapsedTime(started);

        context.Response.ContentType = "application/json";
        using (var json = new Utf8JsonWriter(context.Response.BodyWriter, ApiJson.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("status", "success");
            json.WriteStartObject("data");
            json.WriteString("resultType", "matrix");
            json.WriteString("start", ApiJson.Nanoseconds(start));
            json.WriteString("end", ApiJson.Nanoseconds(end));
            json.WriteNumber("step", step / 1e9);
            json.WriteStartArray("result");
            var counts = result.Counts;
            for (int s = 0; s < VolumeCounter.Severities; s++)
            {
                if (!Enumerable.Range(0, counts.GetLength(1)).Any(b => counts[s, b] > 0))
                {
                    continue;
                }

                json.WriteStartObject();
                json.WriteStartObject("metric");
                if (s < LogLabels.SeverityNames.Count)
                {
                    json.WriteString("severity", LogLabels.SeverityNames[s]);
                }

                json.WriteEndObject();
                json.WriteStartArray("values");
                for (int b = 0; b < counts.GetLength(1); b++)
                {
                    if (counts[s, b] > 0)
                    {
                        json.WriteStartArray();
                        json.WriteNumberValue((start + (b * step)) / 1e9m);
                        json.WriteStringValue(counts[s, b].ToString(CultureInfo.InvariantCulture));
                        json.WriteEndArray();
                    }
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartObject("stats");
            json.WriteNumber("blocksCounted", result.BlocksCounted);
            json.WriteNumber("blocksScanned", result.BlocksScanned);
            json.WriteNumber("blocksSkipped", result.BlocksSkipped);
            json.WriteNumber("linesScanned", result.LinesScanned);
            json.WriteNumber("durationSeconds", elapsed.TotalSeconds);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// A duration (<c>30s</c>, <c>5m</c>) or seconds (<c>15</c>, <c>0.5</c>); by default about 100 steps, at least 1 s.
    /// </summary>
    private static long Step(string? text, long range)
    {
        if (text is null)
        {
            long seconds = Math.Max(1, (range + (100 * 1_000_000_000L) - 1) / (100 * 1_000_000_000L));
            return seconds * 1_000_000_000L;
        }

        if (decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal s) && s > 0 && s < 9_000_000_000m)
        {
            return Math.Max(1, (long)(s * 1_000_000_000m));
        }

        return QueryDuration.TryParse(text, out var d) && d > TimeSpan.Zero
            ? d.Ticks * 100
            : throw ProblemException.BadRequest($"step must be a duration such as 30s or 5m, or a number of seconds, was '{text}'");
    }
}
