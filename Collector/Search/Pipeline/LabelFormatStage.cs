namespace Collector.Search.Pipeline;

/// <summary>
/// <c>| label_format dst=src, name="{{.a}}-{{.b}}"</c> (pkg/logql/log/fmt.go <c>LabelsFormatter</c>): <c>dst=src</c>
/// renames (when src exists); <c>name="template"</c> sets the template's output. Every template sees the labels as
/// they were before this stage. A failing template sets <c>__error__=TemplateFormatErr</c> and leaves its label alone.
/// </summary>
public sealed class LabelFormatStage(IReadOnlyList<(string Name, string? Source, GoTemplate? Template)> formats) : PipelineStage
{
    public override bool Process(PipelineLine line)
    {
        PipelineLine? before = null;
        foreach (var (name, source, template) in formats)
        {
            if (source is not null)
            {
                if (line.TryGet(source, out string value))
                {
                    line.Set(name, value);
                    line.Delete(source);
                }

                continue;
            }

            before ??= line.Snapshot();
            try
            {
                line.Set(name, template!.Execute(before));
            }
            catch (TemplateException ex)
            {
                line.SetError(PipelineErrors.TemplateFormat, ex.Message);
            }
        }

        return true;
    }
}
