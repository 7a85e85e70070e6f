using System.Globalization;
using Shared.Configuration;

namespace Collector.Api;

/// <summary>
/// Durations as Loki and Grafana send them (Prometheus' format: <c>1d12h</c>, <c>7d</c>, <c>1w</c>, <c>90s</c>,
/// <c>500ms</c>: whole numbers with units from y to ms, each unit at most once, largest first), and the Collector's own
/// forms (<c>1.5h</c>, <c>hh:mm:ss</c>).
/// </summary>
public static class QueryDuration
{
    private static readonly (string Unit, long Ms)[] Units =
        [("y", 365L * 86_400_000), ("w", 7L * 86_400_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)];

    /// <summary>Caps the value so it fits a TimeSpan and nanoseconds since the epoch.</summary>
    private static readonly long MaxMs = (long)TimeSpan.FromDays(100 * 365).TotalMilliseconds;

    public static bool TryParse(string text, out TimeSpan duration)
    {
        if (TryParsePrometheus(text, out duration))
        {
            return true;
        }

        (bool ok, duration) = ConfigValue.ParseDuration(text);
        return ok;
    }

    private static bool TryParsePrometheus(string text, out TimeSpan duration)
    {
        duration = default;
        long total = 0;
        int next = 0;
        int p = 0;
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

            // The longest unit that follows ("ms" before "m"), and only one that comes after the previous unit.
            int unit = Array.FindIndex(
                Units,
                next,
                u => string.CompareOrdinal(text, p, u.Unit, 0, u.Unit.Length) == 0
                    && (u.Unit != "m" || string.CompareOrdinal(text, p, "ms", 0, 2) != 0));
            if (unit < 0 || n > MaxMs / Units[unit].Ms)
            {
                return false;
            }

            total += n * Units[unit].Ms;
            if (total > MaxMs)
            {
                return false;
            }

            p += Units[unit].Unit.Length;
            next = unit + 1;
        }

        duration = TimeSpan.FromMilliseconds(total);
        return text.Length > 0;
    }
}
