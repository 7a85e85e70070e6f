using System.Globalization;

namespace Collector.Search.Pipeline;

/// <summary>
/// Go's time.ParseDuration: <c>[-+]?([0-9]*(\.[0-9]*)?unit)+</c> or <c>0</c>, units ns, us/µs, ms, s, m, h; LogQL's
/// duration literals also take d, w and y (<c>allowDays</c>), label values do not.
/// </summary>
public static class GoDuration
{
    public static bool TryParse(string text, bool allowDays, out long ns)
    {
        ns = 0;
        var s = text.AsSpan();
        bool negative = false;
        if (s.Length > 0 && s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s is "0")
        {
            return true;
        }

        if (s.IsEmpty)
        {
            return false;
        }

        decimal total = 0;
        while (!s.IsEmpty)
        {
            int n = 0;
            while (n < s.Length && (char.IsAsciiDigit(s[n]) || s[n] == '.'))
            {
                n++;
            }

            if (n == 0 || s[..n] is "." || !decimal.TryParse(s[..n], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal value))
            {
                return false;
            }

            s = s[n..];
            int u = 0;
            while (u < s.Length && !char.IsAsciiDigit(s[u]) && s[u] != '.')
            {
                u++;
            }

            long unit = s[..u] switch
            {
                "ns" => 1,
                "us" or "µs" or "μs" => 1_000,
                "ms" => 1_000_000,
                "s" => 1_000_000_000,
                "m" => 60_000_000_000,
                "h" => 3_600_000_000_000,
                "d" when allowDays => 86_400_000_000_000,
                "w" when allowDays => 604_800_000_000_000,
                "y" when allowDays => 31_536_000_000_000_000,
                _ => 0,
            };
            if (unit == 0)
            {
                return false;
            }

            total += value * unit;
            if (total > long.MaxValue)
            {
                return false;
            }

            s = s[u..];
        }

        ns = (long)(negative ? -total : total);
        return true;
    }
}
