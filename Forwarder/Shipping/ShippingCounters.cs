namespace Forwarder.Shipping;

/// <summary>What was shipped; written by the shipper, read by metrics from any thread.</summary>
internal sealed class ShippingCounters
{
    private long _messages;
    private long _bytes;
    private long _enqueued;

    /// <summary>Messages written to a target's socket.</summary>
    public long Messages => Interlocked.Read(ref _messages);

    /// <summary>Bytes of those messages, unframed.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Messages encoded but not yet written to a socket.</summary>
    public long Pending => Interlocked.Read(ref _enqueued) - Messages;

    public void AddEnqueued(int messages) => Interlocked.Add(ref _enqueued, messages);

    public void AddShipped(int messages, long bytes)
    {
        Interlocked.Add(ref _messages, messages);
        Interlocked.Add(ref _bytes, bytes);
    }
}
