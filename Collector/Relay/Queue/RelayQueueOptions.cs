namespace Collector.Relay.Queue;

/// <summary>
/// Bounds of one relay's queue. Memory bounds count chunk capacities: a pooled buffer is held whole however little
/// of it is used.
/// </summary>
public sealed class RelayQueueOptions
{
    /// <summary>Names the relay in log messages.</summary>
    public string Name { get; init; } = "relay";

    /// <summary>
    /// Memory for queued chunks; past it the oldest are dropped, or with a spill directory new ones go to disk.
    /// </summary>
    public long MaxBytes { get; init; } = 64L << 20;

    /// <summary>Where chunks that do not fit in memory are written; null keeps the queue in memory only.</summary>
    public string? SpillDirectory { get; init; }

    /// <summary>
    /// Disk for spill segments; past it the oldest segment is dropped. A shutdown may exceed it by what was in memory.
    /// </summary>
    public long MaxSpillBytes { get; init; } = 1L << 30;

    /// <summary>Size at which a spill segment is closed and the next one begun.</summary>
    public long SegmentBytes { get; init; } = 16L << 20;

    /// <summary>
    /// Memory for chunks waiting to be written to disk, so a disk slower than ingest cannot grow memory without bound;
    /// past it the oldest waiting chunk is dropped.
    /// </summary>
    public long MaxSpillBacklogBytes { get; init; } = 8L << 20;
}
