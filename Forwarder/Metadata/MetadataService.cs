namespace Forwarder.Metadata;

/// <summary>
/// Runs the metadata sources (the pods' source, and the namespaces' with --namespace-labels) beside the tailing and
/// shipping loops. It never stops them: whatever fails here is retried inside each source, and lines meanwhile go out
/// with their path identity.
/// </summary>
internal sealed class MetadataService(IReadOnlyList<Func<CancellationToken, Task>> sources) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.WhenAll(sources.Select(run => Task.Run(() => run(stoppingToken), CancellationToken.None))).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
