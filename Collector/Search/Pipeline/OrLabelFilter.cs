namespace Collector.Search.Pipeline;

/// <summary><c>a or b</c>: the right side only runs when the left one fails.</summary>
public sealed class OrLabelFilter(LabelFilter left, LabelFilter right) : LabelFilter
{
    public override bool Test(PipelineLine line) => left.Test(line) || right.Test(line);
}
