namespace Collector.Search.Pipeline;

/// <summary>
/// The stages of a log query after its selector and leading line filters (those stay on <see cref="QueryTerm"/>, where
/// the index and the literal scan use them). The pipeline's line is the message (MSG with its escapes undone), as an
/// application wrote it: <c>| json</c> parses what the pod printed, not the syslog header.
/// </summary>
public sealed class LogPipeline(IReadOnlyList<PipelineStage> stages, Unwrap? unwrap = null)
{
    public IReadOnlyList<PipelineStage> Stages => stages;

    /// <summary>The <c>| unwrap</c> that ends a range aggregation's pipeline; null in log queries.</summary>
    public Unwrap? Unwrap => unwrap;

    /// <summary>Runs the stages; null when one dropped the line.</summary>
    public PipelineLine? Run(long timeNs, string message, IEnumerable<KeyValuePair<string, string>> streamLabels)
    {
        var line = new PipelineLine(timeNs, message, streamLabels);
        foreach (var stage in stages)
        {
            if (!stage.Process(line))
            {
                return null;
            }
        }

        return line;
    }
}
