using System.Globalization;

namespace Collector.Search.Pipeline;

/// <summary><c>status &gt;= 500</c>: the value read as a float (Go's strconv.ParseFloat).</summary>
public sealed class NumericLabelFilter(string name, CompareOp op, double wanted) : LabelFilter
{
    public override bool Test(PipelineLine line) => TestConverted(line, name, Parse, op, wanted);

    private static (bool, double, string) Parse(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && !text.Contains(' ', StringComparison.Ordinal)
            ? (true, v, string.Empty)
            : (false, 0, $"strconv.ParseFloat: parsing {GoQuote(text)}: invalid syntax");

    internal static string GoQuote(string s) =>
        "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
