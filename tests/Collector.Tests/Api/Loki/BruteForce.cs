using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Collector.Tests.Api.Loki;

/// <summary>One line as a test knows it: time, labels, size of the line the API returns.</summary>
public sealed record KnownLine(long TimeNs, SortedDictionary<string, string> Labels, int Bytes, int Seq);

/// <summary>
/// Evaluates a metric query the slow, obvious way over a list of lines: for every step t and every line, is
/// t − range &lt; time ≤ t; then group. The expected answer for comparing with the Collector's.
/// </summary>
public static class BruteForce
{
    /// <summary>Series (by label key) → step index → value.</summary>
    public static Dictionary<string, Dictionary<int, double>> Evaluate(
        IReadOnlyList<KnownLine> lines,
        Func<KnownLine, bool> selector,
        string function,
        long rangeNs,
        long[] times,
        string? aggregate = null,
        string[]? by = null,
        bool without = false)
    {
        var streams = new Dictionary<string, Dictionary<int, double>>(StringComparer.Ordinal);
        var streamLabels = new Dictionary<string, SortedDictionary<string, string>>(StringComparer.Ordinal);
        for (int k = 0; k < times.Length; k++)
        {
            foreach (var group in lines.Where(selector).Where(l => l.TimeNs > times[k] - rangeNs && l.TimeNs <= times[k]).GroupBy(l => Key(l.Labels)))
            {
                double seconds = rangeNs / 1e9;
                double value = function switch
                {
                    "count_over_time" => group.Count(),
                    "rate" => group.Count() / seconds,
                    "bytes_over_time" => group.Sum(l => l.Bytes),
                    "bytes_rate" => group.Sum(l => l.Bytes) / seconds,
                    _ => throw new ArgumentOutOfRangeException(nameof(function)),
                };
                streamLabels[group.Key] = group.First().Labels;
                streams.TryAdd(group.Key, []);
                streams[group.Key][k] = value;
            }
        }

        if (aggregate is null)
        {
            return streams;
        }

        var result = new Dictionary<string, Dictionary<int, double>>(StringComparer.Ordinal);
        foreach (var group in streams.GroupBy(s => Key(Keep(streamLabels[s.Key], by, without))))
        {
            var values = new Dictionary<int, double>();
            for (int k = 0; k < times.Length; k++)
            {
                var present = group.Where(s => s.Value.ContainsKey(k)).Select(s => s.Value[k]).ToList();
                if (present.Count > 0)
                {
                    values[k] = aggregate switch
                    {
                        "sum" => present.Sum(),
                        "count" => present.Count,
                        "min" => present.Min(),
                        "max" => present.Max(),
                        _ => present.Average(),
                    };
                }
            }

            result[group.Key] = values;
        }

        return result;
    }

    public static string Key(IEnumerable<KeyValuePair<string, string>> labels) =>
        string.Join(',', labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));

    /// <summary>A matrix answer in the same form: series key → step index → value.</summary>
    public static Dictionary<string, Dictionary<int, double>> FromMatrix(JsonElement data, long[] times)
    {
        Assert.Equal("matrix", data.GetProperty("resultType").GetString());
        var result = new Dictionary<string, Dictionary<int, double>>(StringComparer.Ordinal);
        foreach (var series in data.GetProperty("result").EnumerateArray())
        {
            Assert.Equal(["metric", "values"], series.EnumerateObject().Select(p => p.Name));
            var labels = series.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
            var values = new Dictionary<int, double>();
            foreach (var point in series.GetProperty("values").EnumerateArray())
            {
                // [seconds as a JSON number, "value" as a string]
                Assert.Equal(JsonValueKind.Number, point[0].ValueKind);
                Assert.Equal(JsonValueKind.String, point[1].ValueKind);
                long ns = (long)(point[0].GetDecimal() * 1_000_000_000m);
                int k = Array.IndexOf(times, ns);
                Assert.True(k >= 0, $"a point at {ns} ns is not a step");
                values[k] = double.Parse(point[1].GetString()!, CultureInfo.InvariantCulture);
            }

            Assert.NotEmpty(values);
            result[Key(labels)] = values;
        }

        return result;
    }

    public static void Equal(Dictionary<string, Dictionary<int, double>> expected, Dictionary<string, Dictionary<int, double>> actual)
    {
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, values) in expected)
        {
            Assert.Equal(values.Keys.Order(), actual[key].Keys.Order());
            foreach (var (k, v) in values)
            {
                Assert.True(Math.Abs(v - actual[key][k]) <= 1e-9 * Math.Max(1, Math.Abs(v)), $"{key} step {k}: expected {v}, was {actual[key][k]}");
            }
        }
    }

    public static int Utf8Length(string line) => Encoding.UTF8.GetByteCount(line);

    private static IEnumerable<KeyValuePair<string, string>> Keep(SortedDictionary<string, string> labels, string[]? by, bool without) =>
        by is null ? [] : labels.Where(l => without != by.Contains(l.Key));
}
