using System.Collections.Concurrent;
using Forwarder.Enrichment;

namespace Forwarder.Metadata;

/// <summary>
/// The pods of this node as last seen by the metadata source, by uid and by namespace/name. One writer (the source's
/// loop) and many lock-free readers (the tailing loop). Bounded: past <c>capacity</c> pods, deleted pods go first,
/// then the pods stored longest ago (counted). A deleted pod stays for <c>grace</c> so lines read after its deletion
/// (a short-lived pod's, a backlog's) still carry its metadata.
/// </summary>
internal sealed partial class PodMetadataCache(int capacity, TimeSpan grace, TimeProvider time, MetadataCounters counters)
{
    private readonly ConcurrentDictionary<string, Entry> _byUid = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Namespace, string Name), Entry> _byName = new();
    private readonly Lock _write = new();
    private long _sequence;

    public int Count => _byUid.Count;

    /// <summary>The source's state: the tailing loop waits for metadata only while it is not <see
    /// cref="MetadataState.Unavailable"/>.</summary>
    public MetadataState State { get; set; } = MetadataState.Starting;

    /// <summary>The pod's metadata (uid first, as a pod name can be reused), or null when not known (yet).</summary>
    public PodMetadata? Find(PodIdentity pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        if (pod.PodUid is { } uid)
        {
            return _byUid.TryGetValue(uid, out var byUid) ? byUid.Metadata : null;
        }

        return _byName.TryGetValue((pod.Namespace, pod.Pod), out var byName) ? byName.Metadata : null;
    }

    /// <summary>The previous metadata of this uid, if any (to log a bad annotation once per pod).</summary>
    public PodMetadata? Previous(string uid) => _byUid.TryGetValue(uid, out var entry) ? entry.Metadata : null;

    /// <summary>A pod was added or changed.</summary>
    public void Put(PodMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        lock (_write)
        {
            metadata = WithNamespaceLabels(metadata);
            var entry = new Entry(metadata, null, Interlocked.Increment(ref _sequence));
            _byUid[metadata.Uid] = entry;
            _byName[(metadata.Namespace, metadata.Name)] = entry;
            Bound();
        }
    }

    /// <summary>A pod was deleted: kept for the grace period.</summary>
    public void MarkDeleted(PodMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        lock (_write)
        {
            metadata = WithNamespaceLabels(metadata);
            var entry = new Entry(metadata, time.GetUtcNow(), Interlocked.Increment(ref _sequence));
            _byUid[metadata.Uid] = entry;
            _byName.AddOrUpdate((metadata.Namespace, metadata.Name), entry, (_, old) => old.Metadata.Uid == metadata.Uid ? entry : old);
            Bound();
        }
    }

    /// <summary>
    /// After a full list: every pod not in it was deleted while the watch was down (kept for the grace period).
    /// </summary>
    public void MarkAllDeletedExcept(IReadOnlySet<string> listed)
    {
        ArgumentNullException.ThrowIfNull(listed);
        foreach (var entry in _byUid.Values)
        {
            if (entry.DeletedAt is null && !listed.Contains(entry.Metadata.Uid))
            {
                MarkDeleted(entry.Metadata);
            }
        }
    }

    /// <summary>Forgets deleted pods whose grace period is over.</summary>
    public void Prune()
    {
        var now = time.GetUtcNow();
        lock (_write)
        {
            foreach (var entry in _byUid.Values)
            {
                if (entry.DeletedAt is { } deleted && now - deleted >= grace)
                {
                    Remove(entry);
                }
            }
        }
    }

    // Called under _write.
    private void Bound()
    {
        if (_byUid.Count <= capacity)
        {
            return;
        }

        Prune();
        while (_byUid.Count > capacity)
        {
            // Rare (a node past the capacity): a scan is cheaper than keeping an ordered index for it.
            var victim = _byUid.Values.MinBy(e => (e.DeletedAt is null ? 1 : 0, e.Sequence));
            Remove(victim!);
            counters.AddEviction();
        }
    }

    private void Remove(Entry entry)
    {
        _byUid.TryRemove(new KeyValuePair<string, Entry>(entry.Metadata.Uid, entry));
        _byName.TryRemove(new KeyValuePair<(string, string), Entry>((entry.Metadata.Namespace, entry.Metadata.Name), entry));
    }

    private sealed record Entry(PodMetadata Metadata, DateTimeOffset? DeletedAt, long Sequence);
}

internal enum MetadataState
{
    /// <summary>The first list has not completed yet.</summary>
    Starting,

    /// <summary>Listed and watching.</summary>
    Live,

    /// <summary>The last attempt failed; lines go without waiting until the source is back.</summary>
    Unavailable,
}
