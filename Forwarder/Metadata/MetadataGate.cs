using Forwarder.Enrichment;

namespace Forwarder.Metadata;

/// <summary>
/// What the tailing loop asks about a pod before it reads the pod's file: its metadata, and whether the file should
/// wait for it. A file waits (is not read, so its lines stay in order and the file is the buffer) for at most
/// --metadata-wait; other files are read meanwhile. No waiting when the source is off or currently unavailable.
/// </summary>
internal sealed class MetadataGate(PodMetadataCache? cache, TimeSpan wait, MetadataCounters counters)
{
    public static MetadataGate Off { get; } = new(null, TimeSpan.Zero, new MetadataCounters());

    public bool Enabled => cache is not null;

    public long WaitMs { get; } = (long)wait.TotalMilliseconds;

    public MetadataCounters Counters => counters;

    public PodMetadata? Find(PodIdentity pod) => cache?.Find(pod);

    /// <summary>Whether a file without its metadata should wait for it now (the source is starting or live).</summary>
    public bool WorthWaiting => cache is { State: not MetadataState.Unavailable } && WaitMs > 0;
}
