namespace Collector.Search.Pipeline;

/// <summary>A line filter after another stage: it tests the line as that stage left it.</summary>
public sealed class LineFilterStage(LineFilter filter) : PipelineStage
{
    public LineFilter Filter => filter;

    public override bool Process(PipelineLine line) => filter.Matches(line.Line);
}
