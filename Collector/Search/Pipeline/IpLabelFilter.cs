namespace Collector.Search.Pipeline;

/// <summary>
/// <c>| addr = ip("10.0.0.0/8")</c>, <c>| addr != ip("…")</c> (Loki's IPLabelFilter): the label's value holds an
/// address within the pattern. A line that already has <c>__error__</c> passes; a missing label drops the line, for
/// <c>!=</c> too.
/// </summary>
public sealed class IpLabelFilter(string name, bool equal, IpMatcher matcher) : LabelFilter
{
    public override bool Test(PipelineLine line)
    {
        if (line.HasError)
        {
            return true;
        }

        return line.TryGet(name, out string value) && matcher.MatchesIn(value) == equal;
    }
}
