namespace Forwarder.Tailing;

// Building the checkpoints to save, twice a second by default: with hundreds of files tailed and none of them moving,
// a new record per file and a sorted copy per save were a large part of what an idle Forwarder allocated, and kept the
// MemoryTrimmer from ever seeing it idle (docs/forwarder-resources.md). A file's record is rebuilt only when something
// in it changed, and the comparison with what was saved last sorts a list kept for it.
internal sealed partial class TailingLoop
{
    private static readonly Comparer<Checkpoint> ByIdentity = Comparer<Checkpoint>.Create((a, b) =>
    {
        int inode = a.Inode.CompareTo(b.Inode);
        return inode != 0 ? inode : a.Device.CompareTo(b.Device);
    });

    private readonly Dictionary<FileTailer, Checkpoint> _lastCheckpoints = new(ReferenceEqualityComparer.Instance);
    private readonly List<Checkpoint> _checkpoints = [];
    private readonly List<Checkpoint> _sortedCheckpoints = [];
    private List<Checkpoint>? _lastSaved;

    // The tailer's checkpoint now; the same record as the previous save's while nothing in it changed. `done`: shipped
    // to the end and closed (DoneAt is then this save's time).
    private Checkpoint CheckpointOf(FileTailer tailer, long nowSeconds, out bool done)
    {
        var fingerprint = tailer.Fingerprint;
        long committed = tailer.CommittedOffset;
        done = tailer.IsClosed && committed >= tailer.ReadOffset;
        if (!done && _lastCheckpoints.TryGetValue(tailer, out var last)
            && last.Offset == committed
            && last.FingerprintLength == fingerprint.Length
            && last.Fingerprint == fingerprint.Hash
            && ReferenceEquals(last.Path, tailer.File.Path)
            && ReferenceEquals(last.RealPath, tailer.File.RealPath)
            && ReferenceEquals(last.Source, tailer.OriginId))
        {
            return last;
        }

        var checkpoint = new Checkpoint(
            tailer.Identity.Device,
            tailer.Identity.Inode,
            fingerprint.Length,
            fingerprint.Hash,
            committed,
            tailer.File.Path,
            tailer.File.RealPath,
            done ? nowSeconds : null,
            new DateTimeOffset(tailer.DiscoveredAtUtc).ToUnixTimeMilliseconds(),
            tailer.OriginId);
        if (!done)
        {
            _lastCheckpoints[tailer] = checkpoint;
        }

        return checkpoint;
    }

    // A tailer leaves _order only when it is done (its record removed with it); this keeps any other way out from
    // leaving a record behind per file.
    private void ForgetLastCheckpointsOfOthers()
    {
        if (_lastCheckpoints.Count <= _order.Count)
        {
            return;
        }

        var tailed = new HashSet<FileTailer>(_order, ReferenceEqualityComparer.Instance);
        foreach (var tailer in _lastCheckpoints.Keys.Where(t => !tailed.Contains(t)).ToList())
        {
            _lastCheckpoints.Remove(tailer);
        }
    }

    // Leaves `checkpoints` sorted by identity in _sortedCheckpoints, which is what is remembered once saved.
    private bool SameAsLastSaved(List<Checkpoint> checkpoints)
    {
        _sortedCheckpoints.Clear();
        _sortedCheckpoints.AddRange(checkpoints);
        _sortedCheckpoints.Sort(ByIdentity);
        return _lastSaved is not null && _lastSaved.SequenceEqual(_sortedCheckpoints);
    }
}
