namespace Collector.Search.Pipeline;

/// <summary>
/// <c>size &gt; 1MB</c>: the value read as go-humanize's ParseBytes does (<c>1KB</c> = 1000, <c>1KiB</c> = 1024).
/// </summary>
public sealed class BytesLabelFilter(string name, CompareOp op, ulong wanted) : LabelFilter
{
    public override bool Test(PipelineLine line) => TestConverted(line, name, Parse, op, wanted);

    private static (bool, ulong, string) Parse(string text) =>
        HumanBytes.TryParse(text, out ulong bytes, out string error) ? (true, bytes, string.Empty) : (false, 0UL, error);
}
