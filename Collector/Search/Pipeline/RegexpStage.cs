using System.Text.RegularExpressions;

namespace Collector.Search.Pipeline;

/// <summary>
/// <c>| regexp "(?P&lt;name&gt;re)"</c> (Loki's <c>RegexpParser</c>): when the regex matches the line, every named
/// group becomes a label ("" when the group took no part); a line it does not match keeps going unchanged.
/// </summary>
public sealed class RegexpStage(Regex regex, IReadOnlyList<string> names) : PipelineStage
{
    public IReadOnlyList<string> Names => names;

    public override bool Process(PipelineLine line)
    {
        var match = regex.Match(line.Line);
        if (!match.Success)
        {
            return true;
        }

        foreach (string name in names)
        {
            var group = match.Groups[name];
            line.Set(line.ExtractedName(name), group.Success ? group.Value : string.Empty);
        }

        return true;
    }
}
