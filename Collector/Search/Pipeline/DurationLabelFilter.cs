namespace Collector.Search.Pipeline;

/// <summary><c>latency &gt; 250ms</c>: the value read as a Go duration.</summary>
public sealed class DurationLabelFilter(string name, CompareOp op, long wantedNs) : LabelFilter
{
    public override bool Test(PipelineLine line) => TestConverted(line, name, Parse, op, wantedNs);

    private static (bool, long, string) Parse(string text) =>
        GoDuration.TryParse(text, allowDays: false, out long ns)
            ? (true, ns, string.Empty)
            : (false, 0, $"time: invalid duration {NumericLabelFilter.GoQuote(text)}");
}
