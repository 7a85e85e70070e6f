using System.Globalization;
using System.Text.RegularExpressions;

namespace EndToEnd.Tests;

/// <summary>
/// The Forwarder's origin element on stored lines (docs/sources.md): found, checked and taken out for comparisons.
/// </summary>
internal static partial class OriginElements
{
    /// <summary>
    /// The line without its origin element; a line without one is a test failure (every Forwarder message has one).
    /// </summary>
    public static string Strip(string line)
    {
        var match = Element().Match(line);
        return match.Success ? line.Remove(match.Index, match.Length) : throw new InvalidDataException($"no origin element in: {line}");
    }

    public static (string Source, long From, long To) Find(string line)
    {
        var match = Element().Match(line);
        return match.Success
            ? (
                match.Groups[1].Value,
                long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture),
                long.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture))
            : throw new InvalidDataException($"no origin element in: {line}");
    }

    /// <summary>Per source, every range must start where the one before ended: the places where one does not.</summary>
    public static List<string> Breaks(IEnumerable<string> lines)
    {
        var ends = new Dictionary<string, long>();
        var breaks = new List<string>();
        foreach (string line in lines)
        {
            var (source, from, to) = Find(line);
            if (ends.TryGetValue(source, out long end) && end != from)
            {
                breaks.Add($"{source}: {from}-{to} after {end}");
            }

            ends[source] = to;
        }

        return breaks;
    }

    [GeneratedRegex(@"\[o@32473 s=""([0-9a-f]{16})"" p=""([0-9]+)-([0-9]+)""(?: f=""(?:[^""\\]|\\.)*"")?\]")]
    private static partial Regex Element();
}
