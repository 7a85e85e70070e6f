namespace Collector.Search.Pipeline;

/// <summary>
/// <c>a and b</c>, <c>a, b</c>, <c>a b</c>: both sides run (each may set an error), as Loki's BinaryLabelFilter.
/// </summary>
public sealed class AndLabelFilter(LabelFilter left, LabelFilter right) : LabelFilter
{
    public override bool Test(PipelineLine line)
    {
        bool l = left.Test(line);
        bool r = right.Test(line);
        return l && r;
    }
}
