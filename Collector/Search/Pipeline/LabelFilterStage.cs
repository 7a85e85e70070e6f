namespace Collector.Search.Pipeline;

/// <summary><c>| status &gt;= 500 and method="GET"</c>.</summary>
public sealed class LabelFilterStage(LabelFilter filter) : PipelineStage
{
    public LabelFilter Filter => filter;

    public override bool Process(PipelineLine line) => filter.Test(line);
}
