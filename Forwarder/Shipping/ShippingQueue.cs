using System.Threading.Channels;

namespace Forwarder.Shipping;

/// <summary>
/// The bounded queue between the tailing loop and the network. Its bound is a fixed set of batches: the tailing loop
/// must take a free one before it reads more, so when the network is slow reading pauses and the files themselves are
/// the buffer (nothing is dropped). Memory stays at about <c>batches × batch size</c>. Batches of files that had
/// nothing unconfirmed (a quiet pod's new lines) go in an urgent lane the shipper empties first, so they overtake a
/// backlog's batches already queued; a file's lines keep their order because a file only goes urgent when none of its
/// earlier lines is still queued or in flight.
/// </summary>
internal sealed class ShippingQueue
{
    /// <summary>
    /// A batch is handed over once it holds this much; a pass over the files also hands over what it has.
    /// </summary>
    public const int BatchBytes = 256 * 1024;

    private readonly Channel<OutgoingBatch> _free;
    private TaskCompletionSource _returned = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<OutgoingBatch> _full;
    private readonly Channel<OutgoingBatch> _urgent;

    public ShippingQueue(long queueBytes)
    {
        Capacity = (int)Math.Clamp(queueBytes / BatchBytes, 2, 16_384);
        _free = Channel.CreateBounded<OutgoingBatch>(new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.Wait });
        _full = Channel.CreateBounded<OutgoingBatch>(new BoundedChannelOptions(Capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = true,
        });
        _urgent = Channel.CreateBounded<OutgoingBatch>(new BoundedChannelOptions(Capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = true,
        });
        for (int i = 0; i < Capacity; i++)
        {
            // Every batch is in exactly one of the two channels or in someone's hands, so these writes cannot fail.
            _ = _free.Writer.TryWrite(new OutgoingBatch(BatchBytes + (BatchBytes / 4)));
        }
    }

    public int Capacity { get; }

    /// <summary>
    /// How many bytes of one file may be in the queue and on the network unconfirmed: an eighth of the queue, between 2
    /// and 4 batches. A file with a backlog then never fills the queue, so another file's new line waits behind at most
    /// this much of it; 4 batches are ~4,000 typical lines, many RELP windows, so one file alone still keeps the link
    /// busy.
    /// </summary>
    public int FileShareBytes => Math.Clamp(Capacity / 8, 2, 4) * BatchBytes;

    /// <summary>
    /// Completes at the next <see cref="Return"/>: a file waiting for its share may read again. Take it before looking
    /// at the files, so a return in between is not missed.
    /// </summary>
    public Task NextReturn => Volatile.Read(ref _returned).Task;

    /// <summary>Batches waiting to be sent (for metrics).</summary>
    public int Queued => _full.Reader.Count + _urgent.Reader.Count;

    /// <summary>Of those, batches in the urgent lane.</summary>
    public int UrgentQueued => _urgent.Reader.Count;

    /// <summary>Waits for a free batch: this is where reading pauses while the network is behind.</summary>
    public ValueTask<OutgoingBatch> RentAsync(CancellationToken cancellationToken) => _free.Reader.ReadAsync(cancellationToken);

    public bool TryRent(out OutgoingBatch batch) => _free.Reader.TryRead(out batch!);

    /// <summary>
    /// Queues a batch for the shipper; <paramref name="urgent"/>: it goes before every batch in the other lane (only
    /// for batches whose files have nothing else queued or in flight).
    /// </summary>
    public ValueTask EnqueueAsync(OutgoingBatch batch, CancellationToken cancellationToken, bool urgent = false) =>
        (urgent ? _urgent : _full).Writer.WriteAsync(batch, cancellationToken);

    public void Return(OutgoingBatch batch)
    {
        batch.Reset();
        if (!_free.Writer.TryWrite(batch))
        {
            throw new InvalidOperationException("A batch was returned twice.");
        }

        Interlocked.Exchange(ref _returned, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>
    /// Lets the free batches go of their buffers (called when the Forwarder is idle, before the GC gives memory back):
    /// a burst grows every batch to the batch size, and with the queue cycling through all of them they would keep
    /// about <c>Capacity × 320 KB</c> for good. A free batch is nobody's; batches being filled or sent keep theirs.
    /// Returns the bytes let go.
    /// </summary>
    public long ReleaseIdleBuffers()
    {
        var taken = new List<OutgoingBatch>(Capacity);
        long released = 0;
        while (taken.Count < Capacity && _free.Reader.TryRead(out var batch))
        {
            released += batch.ReleaseBuffers();
            taken.Add(batch);
        }

        foreach (var batch in taken)
        {
            // Taken from the free channel just now, so there is room for each of them again.
            if (!_free.Writer.TryWrite(batch))
            {
                throw new InvalidOperationException("A free batch could not be put back.");
            }
        }

        return released;
    }

    /// <summary>No more batches will be enqueued; the shipper ends after sending the queued ones.</summary>
    public void Complete()
    {
        _urgent.Writer.TryComplete();
        _full.Writer.TryComplete();
    }

    /// <summary>The next batch to send, if one is queued.</summary>
    public bool TryTake(out OutgoingBatch batch) => _urgent.Reader.TryRead(out batch!) || _full.Reader.TryRead(out batch!);

    /// <summary>True once a batch is queued in either lane; false once both are completed and empty.</summary>
    public async ValueTask<bool> WaitToTakeAsync(CancellationToken cancellationToken)
    {
        if (_urgent.Reader.Count > 0 || _full.Reader.Count > 0)
        {
            return true;
        }

        var urgent = _urgent.Reader.WaitToReadAsync(cancellationToken).AsTask();
        var full = _full.Reader.WaitToReadAsync(cancellationToken).AsTask();
        var first = await Task.WhenAny(urgent, full).ConfigureAwait(false);
        if (await first.ConfigureAwait(false))
        {
            return true;
        }

        // That lane is completed and empty: the answer is the other's.
        return await (first == urgent ? full : urgent).ConfigureAwait(false);
    }
}
