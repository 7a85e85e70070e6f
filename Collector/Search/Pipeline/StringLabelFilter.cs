using System.Text.RegularExpressions;

namespace Collector.Search.Pipeline;

/// <summary><c>name = "v"</c>, <c>!=</c>, <c>=~</c>, <c>!~</c> (regexes anchored); a missing label is "".</summary>
public sealed class StringLabelFilter(string name, MatchOp op, string value, Regex? regex) : LabelFilter
{
    public override bool Test(PipelineLine line)
    {
        string actual = line.Get(name);
        return op switch
        {
            MatchOp.Equal => actual == value,
            MatchOp.NotEqual => actual != value,
            MatchOp.Regex => regex!.IsMatch(actual),
            _ => !regex!.IsMatch(actual),
        };
    }
}
