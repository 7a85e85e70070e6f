namespace Collector.Search.Pipeline;

/// <summary>
/// <c>| drop a, b="x"</c> and <c>| keep a, b="x"</c> (pkg/logql/log/drop_labels.go, keep_labels.go): a name alone
/// selects the label, <c>name op "value"</c> selects it when its value matches. Drop removes the selected labels
/// (<c>__error__</c> and <c>__error_details__</c> too); keep removes all others but the error pair.
/// </summary>
public sealed class LabelSelectionStage(bool keep, IReadOnlyList<(string Name, StringLabelFilter? Matcher)> selected) : PipelineStage
{
    public bool Keep => keep;

    public override bool Process(PipelineLine line)
    {
        if (keep)
        {
            foreach (var (name, value) in line.Labels.ToList())
            {
                bool kept = selected.Any(s => s.Name == name && (s.Matcher is null || s.Matcher.Test(line)));
                if (!kept)
                {
                    line.Delete(name);
                }
            }

            return true;
        }

        foreach (var (name, matcher) in selected)
        {
            if (matcher is null || matcher.Test(line))
            {
                line.Delete(name);
            }
        }

        return true;
    }
}
