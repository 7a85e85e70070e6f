using Forwarder.Enrichment;

namespace Forwarder.Metadata;

/// <summary>
/// What the tailing loop asks about a pod before it reads the pod's file: its metadata, and whether the file should
/// wait for it. A file waits (is not read, so its lines stay in order and the file is the buffer) for at most
/// --metadata-wait; other files are read meanwhile. No waiting when the source is off or currently unavailable. A
/// source that polls (the kubelet's) is told while a file waits, so it can fetch at once instead of at its next poll.
/// Until the source's first list is done no pod is known yet, so files wait for it without starting their own
/// --metadata-wait, for at most <see cref="FirstListWaitMs"/> (a big node's first list on a busy API server takes
/// seconds; failing, it makes the source unavailable and the files go at once).
/// </summary>
internal sealed class MetadataGate(PodMetadataCache? cache, TimeSpan wait, MetadataCounters counters, Action? podUnknown = null)
{
    /// <summary>Longest the files wait for the source's first list, from the first file that asked.</summary>
    public const long FirstListWaitMs = 30_000;

    private long _firstAsked = -1;

    public static MetadataGate Off { get; } = new(null, TimeSpan.Zero, new MetadataCounters());

    public bool Enabled => cache is not null;

    public long WaitMs { get; } = (long)wait.TotalMilliseconds;

    public MetadataCounters Counters => counters;

    public PodMetadata? Find(PodIdentity pod) => cache?.Find(pod);

    /// <summary>A file waits for the metadata of a pod not in the cache (called on each of its backed-off
    /// turns).</summary>
    public void WaitingForUnknownPod() => podUnknown?.Invoke();

    /// <summary>
    /// Whether the source's first list is still on its way (and not for longer than <see cref="FirstListWaitMs"/>):
    /// a file then waits without counting against its own --metadata-wait. The tailing loop's thread only.
    /// </summary>
    public bool FirstListPending(long now)
    {
        if (cache is not { State: MetadataState.Starting } || WaitMs <= 0)
        {
            return false;
        }

        if (_firstAsked < 0)
        {
            _firstAsked = now;
        }

        return now - _firstAsked < FirstListWaitMs;
    }

    /// <summary>Whether a file without its metadata should wait for it now (the source is starting or live).</summary>
    public bool WorthWaiting => cache is { State: not MetadataState.Unavailable } && WaitMs > 0;
}
