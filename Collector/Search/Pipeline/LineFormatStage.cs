namespace Collector.Search.Pipeline;

/// <summary>
/// <c>| line_format "{{.status}} {{.path}}"</c>: the template's output becomes the line. A template that fails while
/// running leaves the line as it was and sets <c>__error__=TemplateFormatErr</c> with the reason, as Loki does.
/// </summary>
public sealed class LineFormatStage(GoTemplate template) : PipelineStage
{
    public override bool Process(PipelineLine line)
    {
        try
        {
            line.Line = template.SimpleKey is { } key ? line.Get(key) : template.Execute(line);
            line.LineChanged = true;
        }
        catch (TemplateException ex)
        {
            line.SetError(PipelineErrors.TemplateFormat, ex.Message);
        }

        return true;
    }
}
