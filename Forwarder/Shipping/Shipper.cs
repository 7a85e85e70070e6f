namespace Forwarder.Shipping;

/// <summary>
/// The network side of the queue: sends each batch in order without waiting for the earlier ones to be acknowledged
/// (a <c>relp://</c> target keeps its window full across batches), and as batches are delivered, oldest first, counts
/// them, commits their file offsets and returns them for reuse. A batch is committed only after every batch before it:
/// a file's offset never passes a line that is not delivered. Runs until the queue is completed and everything sent is
/// delivered, or until its token is cancelled (then undelivered batches stay uncommitted and are read from the files
/// again at the next start). The batches in flight are the queue's: when answers stop coming the queue fills and
/// reading pauses.
/// </summary>
internal sealed class Shipper(ShippingQueue queue, CollectorLink link, ShippingCounters counters, ILogger<Shipper> logger)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            // One wait for the next batch at a time, kept across the waits for acknowledgements.
            Task<bool>? more = null;
            while (true)
            {
                TakeDelivered();
                if (queue.TryTake(out var batch))
                {
                    await link.SendAsync(batch, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                more ??= queue.WaitToTakeAsync(cancellationToken).AsTask();
                if (more.IsCompleted)
                {
                    bool open = await more.ConfigureAwait(false);
                    more = null;
                    if (open)
                    {
                        continue;
                    }

                    if (link.InFlight == 0)
                    {
                        return;
                    }

                    // Completed and empty: only the answers for what is in flight are still due.
                    await link.WaitAsync(null, cancellationToken).ConfigureAwait(false);
                    more = Task.FromResult(false);
                    continue;
                }

                if (link.InFlight == 0)
                {
                    await more.ConfigureAwait(false);
                    continue;
                }

                await link.WaitAsync(more, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            ShippingLog.StoppedUnsent(logger, queue.Queued + link.InFlight, counters.Pending);
        }
    }

    private void TakeDelivered()
    {
        while (link.TryTakeDelivered(out var batch))
        {
            counters.AddShipped(batch.Count, batch.Bytes);
            batch.Commit();
            queue.Return(batch);
        }
    }
}
