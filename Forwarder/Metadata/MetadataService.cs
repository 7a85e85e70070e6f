namespace Forwarder.Metadata;

/// <summary>
/// Runs the metadata source beside the tailing and shipping loops. It never stops them: whatever fails here is
/// retried inside the source, and lines meanwhile go out with their path identity.
/// </summary>
internal sealed class MetadataService(ApiServerPodSource source) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Run(() => source.RunAsync(stoppingToken), CancellationToken.None).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
