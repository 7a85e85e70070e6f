using System.Globalization;

namespace Collector.Search.Pipeline;

/// <summary>
/// go-humanize's ParseBytes, which Loki's bytes filters and <c>bytes()</c> use: a number (commas ignored), optional
/// space, a unit in any case: b, k/kb (1000), ki/kib (1024), up to e/eb and ei/eib; no unit means bytes.
/// </summary>
public static class HumanBytes
{
    private static readonly Dictionary<string, decimal> Units = Build();

    public static bool TryParse(string text, out ulong bytes, out string error)
    {
        bytes = 0;
        int digits = 0;
        while (digits < text.Length && (char.IsDigit(text[digits]) || text[digits] is '.' or ','))
        {
            digits++;
        }

        string number = text[..digits].Replace(",", string.Empty, StringComparison.Ordinal);
        if (!decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal value))
        {
            error = $"strconv.ParseFloat: parsing {NumericLabelFilter.GoQuote(number)}: invalid syntax";
            return false;
        }

        string unit = text[digits..].Trim().ToLowerInvariant();
        if (!Units.TryGetValue(unit, out decimal multiplier))
        {
            error = $"unhandled size name: {unit}";
            return false;
        }

        decimal total = value * multiplier;
        if (total >= ulong.MaxValue)
        {
            error = $"too large: {text}";
            return false;
        }

        bytes = (ulong)total;
        error = string.Empty;
        return true;
    }

    private static Dictionary<string, decimal> Build()
    {
        var units = new Dictionary<string, decimal>(StringComparer.Ordinal) { [string.Empty] = 1, ["b"] = 1 };
        string prefixes = "kmgtpe";
        for (int i = 0; i < prefixes.Length; i++)
        {
            decimal si = 1, iec = 1;
            for (int k = 0; k <= i; k++)
            {
                si *= 1000;
                iec *= 1024;
            }

            char p = prefixes[i];
            units[$"{p}"] = si;
            units[$"{p}b"] = si;
            units[$"{p}i"] = iec;
            units[$"{p}ib"] = iec;
        }

        return units;
    }
}
