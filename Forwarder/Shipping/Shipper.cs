namespace Forwarder.Shipping;

/// <summary>
/// The network side of the queue: sends each batch in order, then commits its file offsets and returns it for reuse.
/// Runs until the queue is completed and empty, or until its token is cancelled (then unsent batches stay
/// uncommitted and are read from the files again at the next start).
/// </summary>
internal sealed class Shipper(ShippingQueue queue, CollectorLink link, ShippingCounters counters, ILogger<Shipper> logger)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var batch in queue.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await link.SendAsync(batch, cancellationToken).ConfigureAwait(false);
                counters.AddShipped(batch.Count, batch.Bytes);
                batch.Commit();
                queue.Return(batch);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            ShippingLog.StoppedUnsent(logger, queue.Queued + 1, counters.Pending);
        }
    }
}
