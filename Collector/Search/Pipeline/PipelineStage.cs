namespace Collector.Search.Pipeline;

/// <summary>One stage after the stream selector (Loki's <c>log.Stage</c>): false drops the line.</summary>
public abstract class PipelineStage
{
    public abstract bool Process(PipelineLine line);
}
