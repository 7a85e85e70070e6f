using System.Text.Json;

namespace Chaos;

/// <summary>
/// The Collector's own account (<c>GET /api/v1/sources</c>, docs/sources.md) held against the lines in its files:
/// every source the files hold is listed with the same lines, first and last position, and no source has a gap.
/// </summary>
public sealed record SourcesCheck(int Listed, long Gaps, long DuplicatesDropped, IReadOnlyList<string> Problems)
{
    public static SourcesCheck Compare(string json, IReadOnlyDictionary<string, SourceTally> stored)
    {
        using var document = JsonDocument.Parse(json);
        var data = document.RootElement.GetProperty("data");
        var totals = data.GetProperty("totals");
        var problems = new List<string>();
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var source in data.GetProperty("sources").EnumerateArray())
        {
            string id = source.GetProperty("id").GetString()!;
            listed.Add(id);
            long lines = source.GetProperty("lines").GetInt64();
            long first = source.GetProperty("first").GetInt64();
            long last = source.GetProperty("last").GetInt64();
            long gaps = source.GetProperty("gaps").GetProperty("count").GetInt64();
            if (gaps != 0)
            {
                problems.Add($"source {id} ({source.GetProperty("path").GetString()}): {gaps} gaps: {source.GetProperty("gaps").GetRawText()}");
            }

            if (!stored.TryGetValue(id, out var tally))
            {
                problems.Add($"source {id} is listed but no stored line has it");
            }
            else if ((tally.Lines, tally.First, tally.Last) != (lines, first, last))
            {
                problems.Add(
                    $"source {id}: the files hold {tally.Lines} lines {tally.First}-{tally.Last}, " +
                    $"the API says {lines} lines {first}-{last}");
            }
        }

        problems.AddRange(stored.Keys.Where(id => !listed.Contains(id)).Select(id => $"source {id} has stored lines but is not listed"));
        return new SourcesCheck(listed.Count, totals.GetProperty("gaps").GetInt64(), totals.GetProperty("duplicates").GetInt64(), problems);
    }
}
