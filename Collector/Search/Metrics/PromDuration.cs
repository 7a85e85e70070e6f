using System.Globalization;

namespace Collector.Search.Metrics;

/// <summary>
/// A LogQL range or offset: Prometheus' duration (<c>5m</c>, <c>1h30m</c>, <c>500ms</c>; units y w d h m s ms, each at
/// most once, largest first), in nanoseconds.
/// </summary>
public static class PromDuration
{
    private static readonly (string Unit, long Ns)[] Units =
    [
        ("y", 365L * 86_400_000_000_000), ("w", 7L * 86_400_000_000_000), ("d", 86_400_000_000_000), ("h", 3_600_000_000_000),
        ("m", 60_000_000_000), ("s", 1_000_000_000), ("ms", 1_000_000),
    ];

    /// <summary>About a century: enough for any range, far from overflowing nanoseconds.</summary>
    private const long MaxNs = 100 * 365L * 86_400_000_000_000;

    public static bool TryParse(string text, out long ns)
    {
        ns = 0;
        int p = 0;
        int next = 0;
        while (p < text.Length)
        {
            int digits = p;
            while (p < text.Length && char.IsAsciiDigit(text[p]))
            {
                p++;
            }

            if (p == digits || !long.TryParse(text.AsSpan(digits, p - digits), NumberStyles.None, CultureInfo.InvariantCulture, out long n))
            {
                return false;
            }

            // "ms" before "m".
            int unit = Array.FindIndex(
                Units,
                next,
                u => string.CompareOrdinal(text, p, u.Unit, 0, u.Unit.Length) == 0
                    && (u.Unit != "m" || string.CompareOrdinal(text, p, "ms", 0, 2) != 0));
            if (unit < 0 || n > MaxNs / Units[unit].Ns)
            {
                return false;
            }

            ns += n * Units[unit].Ns;
            if (ns > MaxNs)
            {
                return false;
            }

            p += Units[unit].Unit.Length;
            next = unit + 1;
        }

        return text.Length > 0;
    }
}
