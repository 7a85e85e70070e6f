using Forwarder.Enrichment;

namespace Forwarder.Metadata;

/// <summary>
/// What the tailing loop asks about a pod before it reads the pod's file: its metadata, and whether the file should
/// wait for it. A file waits (is not read, so its lines stay in order and the file is the buffer) for at most
/// --metadata-wait; other files are read meanwhile. No waiting when the source is off or currently unavailable. A
/// source that polls (the kubelet's) is told while a file waits, so it can fetch at once instead of at its next poll.
/// </summary>
internal sealed class MetadataGate(PodMetadataCache? cache, TimeSpan wait, MetadataCounters counters, Action? podUnknown = null)
{
    public static MetadataGate Off { get; } = new(null, TimeSpan.Zero, new MetadataCounters());

    public bool Enabled => cache is not null;

    public long WaitMs { get; } = (long)wait.TotalMilliseconds;

    public MetadataCounters Counters => counters;

    public PodMetadata? Find(PodIdentity pod) => cache?.Find(pod);

    /// <summary>A file waits for the metadata of a pod not in the cache (called on each of its backed-off
    /// turns).</summary>
    public void WaitingForUnknownPod() => podUnknown?.Invoke();

    /// <summary>Whether a file without its metadata should wait for it now (the source is starting or live).</summary>
    public bool WorthWaiting => cache is { State: not MetadataState.Unavailable } && WaitMs > 0;
}
