using Forwarder.Configuration;
using Forwarder.Discovery;
using Forwarder.Enrichment;

namespace Forwarder.Tailing;

internal sealed partial class TailingLoop
{
    // A drained file's checkpoint is remembered at most this long while the file is still on disk, so the same file
    // found again is not shipped twice. Once the file is gone from its directory it is forgotten at the next look (see
    // ForgetDrained); this bound is for drained files that stay, e.g. rotated generations kubelet keeps uncompressed.
    private const long DoneRetentionSeconds = 3600;

    private readonly Dictionary<FileKey, FileTailer> _tailers = [];
    private readonly Dictionary<string, FileTailer> _byPath = new(StringComparer.Ordinal);
    private readonly List<FileTailer> _order = [];
    private Dictionary<FileKey, Checkpoint> _saved = [];

    // Checkpointed files not found at the start (deleted, or their inode reused by a new file).
    private readonly List<Checkpoint> _lostCheckpoints = [];
    private readonly List<DiscoveredFile> _found = [];
    private readonly HashSet<FileKey> _seen = [];
    private bool _firstStart;
    private long _nextGoneCheck;
    private volatile int _drainedRemembered;

    /// <summary>Checkpoints of drained files kept in memory and in checkpoints.json (for metrics).</summary>
    public int DrainedFilesRemembered => _drainedRemembered;

    private void LoadCheckpoints()
    {
        var loaded = _store.Load();
        _firstStart = loaded is null;
        _saved = [];
        foreach (var checkpoint in loaded ?? [])
        {
            _saved[new FileKey(checkpoint.Device, checkpoint.Inode)] = checkpoint;
        }
    }

    private void ApplyScan(ReadContext context, bool firstScan)
    {
        // Both kept across scans: a rescan that finds nothing new allocates nothing (docs/forwarder-resources.md).
        var found = _found;
        var seen = _seen;
        _scanner.Scan(found);
        seen.Clear();
        bool added = false;
        foreach (var file in found)
        {
            var key = new FileKey(file.Status.Device, file.Status.Inode);
            seen.Add(key);
            if (_tailers.TryGetValue(key, out var known))
            {
                known.Seen(file);
                _byPath[file.Path] = known;
                continue;
            }

            var (offset, fingerprint, since, reason) = StartOf(file, key, firstScan);
            var tailer = NewTailer(file, offset, fingerprint, since);
            if (_byPath.TryGetValue(file.Path, out var previous) && !previous.IsClosed)
            {
                // Rotation: the path now leads to a new file; the old one is drained first, and so is any generation
                // that came and went between two scans.
                previous.MarkGone(context.Now);
                tailer.DrainAfter(AddMissedGenerations(context, file, previous, previous.DiscoveredAtUtc));
            }

            _byPath[file.Path] = tailer;
            Add(tailer, context);
            added = true;
            TailingLog.Started(_logger, file.Path, offset, reason);
        }

        foreach (var tailer in _order)
        {
            if (!seen.Contains(tailer.Identity))
            {
                tailer.MarkGone(context.Now);
            }
        }

        found.Clear();
        seen.Clear();
        if (added || firstScan)
        {
            Publish();
        }
    }

    private (long Offset, FileFingerprint? Fingerprint, DateTime? Since, string Reason) StartOf(DiscoveredFile file, FileKey key, bool firstScan)
    {
        if (_saved.Remove(key, out var checkpoint))
        {
            var fingerprint = new FileFingerprint(checkpoint.FingerprintLength, checkpoint.Fingerprint);
            if (!StillStartsAsCheckpointed(file.RealPath, fingerprint, key))
            {
                TailingLog.InodeReused(_logger, file.Path);

                // The checkpointed file itself is gone: generations rotated after it may still be next to this one.
                if (checkpoint.DoneAt is null)
                {
                    _lostCheckpoints.Add(checkpoint);
                }

                return (0, null, null, "new file in a reused inode");
            }

            return (checkpoint.Offset, fingerprint, SinceOf(checkpoint), checkpoint.DoneAt is null ? "checkpoint" : "checkpoint of a drained file");
        }

        return firstScan && _firstStart && _options.StartAt == StartPosition.End
            ? (file.Status.Size, null, null, "first start, StartAt=end")
            : (0, null, null, "new file");
    }

    // `key`: the file the caller found at `path`. Rotated away since (the path leads to its successor now), it is not
    // disproved: the tailer then finds it by its identity under its new name, instead of taking the successor's first
    // bytes for a reused inode and the checkpointed file for lost.
    private static bool StillStartsAsCheckpointed(string path, FileFingerprint fingerprint, FileKey? key = null)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (key is FileKey expected && FileStatus.Of(handle) is var status && new FileKey(status.Device, status.Inode) != expected)
            {
                return true;
            }

            return fingerprint.Length == 0 || fingerprint.Matches(handle);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Same device and inode; the first read will show whether it can be read at all.
            return true;
        }
    }

    private static DateTime? SinceOf(Checkpoint checkpoint) =>
        checkpoint.Since is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime : null;

    // After a restart, a checkpointed file that no glob finds any more may have been rotated while we were down
    // (kubelet renames 0.log to 0.log.<timestamp> next to it): find it by device and inode and drain it first.
    // Several of them of one log (a Forwarder that was behind by more than one rotation) are chained oldest first, by
    // modification time: checkpoints.json lists them newest first, and linking them in that order left the middle ones
    // unchained, read beside the oldest and after the live file.
    private void ResumeRotatedFiles(ReadContext context)
    {
        var found = new List<(FileKey Key, Checkpoint Checkpoint, string Path, FileStatus Status, DateTime Modified)>();
        foreach (var (key, checkpoint) in _saved)
        {
            // Done, or already taken up by the scan.
            if (checkpoint.DoneAt is not null || _tailers.ContainsKey(key))
            {
                continue;
            }

            var fingerprint = new FileFingerprint(checkpoint.FingerprintLength, checkpoint.Fingerprint);
            string? path = FileLocator.FindByIdentity(Path.GetDirectoryName(checkpoint.RealPath), key);
            if (path is null || !FileStatus.TryGet(path, out var status, out _) || !StillStartsAsCheckpointed(path, fingerprint))
            {
                _lostCheckpoints.Add(checkpoint);
                continue;
            }

            found.Add((key, checkpoint, path, status, File.GetLastWriteTimeUtc(path)));
        }

        foreach (var checkpoint in _lostCheckpoints)
        {
            _saved.Remove(new FileKey(checkpoint.Device, checkpoint.Inode));
        }

        var chainEnds = new Dictionary<string, FileTailer>(StringComparer.Ordinal);
        int position = 0;
        var oldestFirst = found.OrderBy(f => f.Modified).ToList();
        for (int i = 0; i < oldestFirst.Count; i++)
        {
            var (key, checkpoint, path, status, modified) = oldestFirst[i];

            // Taken up as a missed generation of an older one (checkpointed while still empty).
            if (_tailers.ContainsKey(key))
            {
                continue;
            }

            _saved.Remove(key);
            var file = new DiscoveredFile(checkpoint.Path, [checkpoint.Path, path], status);
            var fingerprint = new FileFingerprint(checkpoint.FingerprintLength, checkpoint.Fingerprint);
            var tailer = NewTailer(file, checkpoint.Offset, fingerprint, SinceOf(checkpoint));
            tailer.MarkGone(context.Now);
            tailer.DrainAfter(chainEnds.GetValueOrDefault(checkpoint.Path));
            Add(tailer, context, position++);
            TailingLog.ResumingRotated(_logger, path, checkpoint.RealPath, checkpoint.Offset);

            // Generations rotated after it while we were down were written after its last write, and before the next
            // checkpointed generation of the same log was: a generation written after that one belongs after it
            // (docker renames them all at each rotation, so the names do not tell).
            DateTime? before = oldestFirst.Skip(i + 1).FirstOrDefault(f => f.Checkpoint.Path == checkpoint.Path) is { Path: not null } next
                ? next.Modified
                : null;
            chainEnds[checkpoint.Path] = AddMissedGenerations(context, NextToLive(checkpoint), tailer, modified, before) ?? tailer;
        }

        foreach (var (path, last) in chainEnds)
        {
            DrainBeforeSuccessor(path, null, last);
        }

        foreach (var checkpoint in _lostCheckpoints)
        {
            // Its unshipped end is lost (kubelet compressed and deleted it), but generations rotated after it were all
            // written after it was first seen, and are read whole.
            TailingLog.CheckpointedFileGone(_logger, checkpoint.Path, checkpoint.Offset);
            FileTailer? last = null;
            if (SinceOf(checkpoint) is DateTime since)
            {
                last = AddMissedGenerations(context, NextToLive(checkpoint), null, since);
                DrainBeforeSuccessor(checkpoint.Path, null, last);
            }

            ReportLoss(checkpoint, last);
        }

        _lostCheckpoints.Clear();
        Publish();
    }

    // Where to look for generations rotated after a checkpointed file: next to the live file (0.log.<time> is named
    // after 0.log), not next to the checkpointed file's own rotated name, which a resumed file's checkpoint holds.
    private DiscoveredFile NextToLive(Checkpoint checkpoint)
    {
        string live = _byPath.TryGetValue(checkpoint.Path, out var successor) ? successor.File.RealPath : checkpoint.RealPath;
        return new DiscoveredFile(checkpoint.Path, [checkpoint.Path, live], default);
    }

    // How much of the deleted file was never read nobody knows, but where it starts is the checkpoint: the next
    // generation (the oldest missed one, else the file now at its path) says so on its first message, and the
    // Collector records a gap in the deleted file's source from there (docs/sources.md).
    private void ReportLoss(Checkpoint checkpoint, FileTailer? lastMissed)
    {
        if (checkpoint.Source is null)
        {
            return;
        }

        var next = lastMissed;
        while (next?.Predecessor is { } before)
        {
            next = before;
        }

        if (next is null && _byPath.TryGetValue(checkpoint.Path, out var live))
        {
            next = live;
        }

        if (next is not null)
        {
            next.LostBefore = new SourceLoss(checkpoint.Source, checkpoint.Offset);
        }
    }

    // The file now at the checkpointed path was created after `last`, so it waits until `last` is drained.
    private void DrainBeforeSuccessor(string path, FileTailer? resumed, FileTailer? last)
    {
        if (last is not null && _byPath.TryGetValue(path, out var successor) && successor.ReadOffset == 0
            && !ReferenceEquals(successor, resumed) && !ReferenceEquals(successor, last))
        {
            successor.DrainAfter(last);
        }
    }

    private FileTailer NewTailer(DiscoveredFile file, long offset, FileFingerprint? fingerprint, DateTime? since = null) =>
        new(file, offset, fingerprint, _encoderOptions, _options.MaxLineSize, since ?? _time.GetUtcNow().UtcDateTime, _multiline, _metadata, Limits);

    // `position`: where in the reading order, e.g. 0 for the first; null for the end.
    private void Add(FileTailer tailer, ReadContext context, int? position = null)
    {
        // A checkpoint of an earlier file in the same inode would otherwise be saved next to this one's.
        _saved.Remove(tailer.Identity);
        _tailers[tailer.Identity] = tailer;
        if (position is int at)
        {
            _order.Insert(at, tailer);
        }
        else
        {
            _order.Add(tailer);
        }

        // Open at once: a held handle keeps the file readable through later renames and deletes.
        TryOpen(tailer, context);
    }

    // Returns the last file of the chain to drain before the live one: `previous` or the newest missed generation
    // (null when there is neither: `previous` is null when the file before them is gone).
    // `modifiedBeforeUtc`: the newest of them is older than that (the next checkpointed generation), or null.
    private FileTailer? AddMissedGenerations(
        ReadContext context,
        DiscoveredFile live,
        FileTailer? previous,
        DateTime modifiedAfterUtc,
        DateTime? modifiedBeforeUtc = null)
    {
        var last = previous;
        var missedGenerations = RotatedSiblings.Find(live.RealPath, modifiedAfterUtc, modifiedBeforeUtc, (key, path) => IsKnown(key, path, live));
        foreach (var (path, status) in missedGenerations)
        {
            var missed = NewTailer(new DiscoveredFile(live.Path, [live.Path, path], status), 0, null);
            missed.DrainAfter(last);
            missed.MarkGone(context.Now);
            Add(missed, context);
            TailingLog.ResumingRotated(_logger, path, previous?.File.RealPath ?? live.RealPath, 0);
            last = missed;
        }

        return last;
    }

    // Being tailed, or checkpointed with the same first bytes: a checkpoint of a drained file in the same inode but
    // with other first bytes was a file deleted since (its inode reused). A checkpoint taken while its file was still
    // empty has no first bytes and identifies nothing: the file is read from the start, as its offset was 0.
    private bool IsKnown(FileKey key, string path, DiscoveredFile live) =>
        _tailers.ContainsKey(key)
        || key == new FileKey(live.Status.Device, live.Status.Inode)
        || (_saved.TryGetValue(key, out var checkpoint) && checkpoint.FingerprintLength > 0
            && StillStartsAsCheckpointed(path, new FileFingerprint(checkpoint.FingerprintLength, checkpoint.Fingerprint)));

    private void SaveCheckpoints()
    {
        long nowSeconds = _time.GetUtcNow().ToUnixTimeSeconds();
        var checkpoints = _checkpoints;
        checkpoints.Clear();
        bool removed = false;
        for (int i = _order.Count - 1; i >= 0; i--)
        {
            var tailer = _order[i];
            var checkpoint = CheckpointOf(tailer, nowSeconds, out bool done);
            if (done)
            {
                // Shipped to the end and closed: remembered as a drained file, no longer tailed.
                _order.RemoveAt(i);
                _tailers.Remove(tailer.Identity);
                _lastCheckpoints.Remove(tailer);
                if (_byPath.TryGetValue(tailer.File.Path, out var atPath) && ReferenceEquals(atPath, tailer))
                {
                    _byPath.Remove(tailer.File.Path);
                }

                _saved[tailer.Identity] = checkpoint;
                removed = true;
                continue;
            }

            checkpoints.Add(checkpoint);
        }

        ForgetLastCheckpointsOfOthers();
        ForgetDrained(nowSeconds);
        checkpoints.AddRange(_saved.Values);
        _drainedRemembered = _saved.Count;
        if (removed)
        {
            TrimIfSparse(_tailers);
            TrimIfSparse(_byPath);
            TrimIfSparse(_lastCheckpoints);
            Publish();
        }

        if (SameAsLastSaved(checkpoints))
        {
            checkpoints.Clear();
            return;
        }

        try
        {
            _store.Save(checkpoints);
            _lastSaved = [.. _sortedCheckpoints];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TailingLog.CheckpointSaveFailed(_logger, _store.FilePath, e);
        }

        checkpoints.Clear();
    }

    /// <summary>
    /// Drops the checkpoints of drained files that nothing can ask about any more. Their only readers are a scan that
    /// finds the same file again by some path, and the missed-generation search (<see cref="RotatedSiblings"/>, through
    /// <see cref="IsKnown"/>), which only looks at files in the live file's directory. A drained file that is in none
    /// of its directory's entries was deleted (with its pod, or by kubelet after compressing it): no scan and no
    /// sibling search can meet it again, and an inode the kernel hands to a new file then starts that file at 0, as a
    /// reused inode with other first bytes does anyway. So such a checkpoint is forgotten at the first look after the
    /// file went, and the rotate-wait and missed-generation windows need nothing longer. Looked at once per scan
    /// interval: a statx per drained file, a directory listing only for one renamed since (whose new name is then
    /// kept).
    /// </summary>
    private void ForgetDrained(long nowSeconds)
    {
        long now = _time.GetTimestamp() * 1000 / _time.TimestampFrequency;
        bool look = now >= _nextGoneCheck;
        if (look)
        {
            _nextGoneCheck = now + (long)_options.ScanInterval.TotalMilliseconds;
        }

        List<FileKey>? forgotten = null;
        List<Checkpoint>? moved = null;
        foreach (var (key, checkpoint) in _saved)
        {
            if (checkpoint.DoneAt is not long doneAt)
            {
                continue;
            }

            string? path = look ? FileLocator.Locate(checkpoint.RealPath, key) : checkpoint.RealPath;
            if (nowSeconds - doneAt > DoneRetentionSeconds || path is null)
            {
                (forgotten ??= []).Add(key);
            }
            else if (!ReferenceEquals(path, checkpoint.RealPath))
            {
                (moved ??= []).Add(checkpoint with { RealPath = path });
            }
        }

        foreach (var key in forgotten ?? [])
        {
            _saved.Remove(key);
        }

        foreach (var checkpoint in moved ?? [])
        {
            _saved[new FileKey(checkpoint.Device, checkpoint.Inode)] = checkpoint;
        }

        if (forgotten is not null)
        {
            TrimIfSparse(_saved);
        }
    }

    // A burst of short-lived pods grows these tables; their arrays would otherwise stay at the burst's size for good.
    private static void TrimIfSparse<TKey, TValue>(Dictionary<TKey, TValue> table)
        where TKey : notnull
    {
        int capacity = table.EnsureCapacity(0);
        if (capacity > 256 && table.Count < capacity / 4)
        {
            table.TrimExcess();
        }
    }

    private void Publish()
    {
        _snapshot = [.. _order];

        // A pod whose files are all gone loses its limits and its series on /metrics.
        Limits.Keep(_order.Select(t => t.Limit));
    }
}
