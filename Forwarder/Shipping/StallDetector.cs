using Forwarder.Configuration;

namespace Forwarder.Shipping;

/// <summary>
/// Tells whether shipping has stalled: lines are waiting and none has been delivered for longer than
/// <see cref="ForwarderOptions.StallTimeout"/> (no target reachable, or one that takes nothing; the queue then fills
/// and file reading pauses). A Forwarder with nothing to send, or one that delivers slowly, is not stalled.
/// Sampled when asked (kubelet's readiness probe asks every 10 s), from the shipper's counters: delivery is the only
/// progress that counts, because sending into a socket that never answers is not.
/// </summary>
internal sealed class StallDetector(ShippingCounters counters, CollectorLink link, ForwarderOptions options, TimeProvider timeProvider)
{
    private readonly Lock _lock = new();
    private long _delivered = -1;
    private long _since = timeProvider.GetTimestamp();

    /// <summary>True with the reason, for operators, while shipping is stalled.</summary>
    public bool IsStalled(out string reason)
    {
        long now = timeProvider.GetTimestamp();
        long pending = counters.Pending;
        long delivered = counters.Messages;
        TimeSpan waited;
        lock (_lock)
        {
            // The clock restarts at every delivery and whenever nothing is waiting.
            if (pending <= 0 || delivered != _delivered)
            {
                _delivered = delivered;
                _since = now;
            }

            waited = timeProvider.GetElapsedTime(_since, now);
        }

        if (pending <= 0 || waited <= options.StallTimeout)
        {
            reason = string.Empty;
            return false;
        }

        reason = $"not shipping: {pending} lines waiting and nothing delivered for {waited.TotalSeconds:F0}s "
            + $"(longer than the stall timeout, {options.StallTimeout.TotalSeconds:F0}s; now sending to {link.Current}; "
            + $"last error: {link.LastError ?? "none"})";
        return true;
    }
}
