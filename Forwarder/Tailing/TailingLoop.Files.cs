using Forwarder.Configuration;
using Forwarder.Discovery;

namespace Forwarder.Tailing;

internal sealed partial class TailingLoop
{
    // A drained file's checkpoint is remembered this long, so the same file found again is not shipped twice.
    private const long DoneRetentionSeconds = 3600;

    private readonly Dictionary<FileKey, FileTailer> _tailers = [];
    private readonly Dictionary<string, FileTailer> _byPath = new(StringComparer.Ordinal);
    private readonly List<FileTailer> _order = [];
    private Dictionary<FileKey, Checkpoint> _saved = [];

    // Checkpointed files not found at the start (deleted, or their inode reused by a new file).
    private readonly List<Checkpoint> _lostCheckpoints = [];
    private bool _firstStart;
    private List<Checkpoint>? _lastSaved;

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
        var found = _scanner.Scan();
        var seen = new HashSet<FileKey>();
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
                tailer.Predecessor = AddMissedGenerations(context, file, previous, previous.DiscoveredAtUtc);
            }

            _byPath[file.Path] = tailer;
            Add(tailer, context);
            TailingLog.Started(_logger, file.Path, offset, reason);
        }

        foreach (var tailer in _order)
        {
            if (!seen.Contains(tailer.Identity))
            {
                tailer.MarkGone(context.Now);
            }
        }

        Publish();
    }

    private (long Offset, FileFingerprint? Fingerprint, DateTime? Since, string Reason) StartOf(DiscoveredFile file, FileKey key, bool firstScan)
    {
        if (_saved.Remove(key, out var checkpoint))
        {
            var fingerprint = new FileFingerprint(checkpoint.FingerprintLength, checkpoint.Fingerprint);
            if (!StillStartsAsCheckpointed(file.RealPath, fingerprint))
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

    private static bool StillStartsAsCheckpointed(string path, FileFingerprint fingerprint)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
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
    private void ResumeRotatedFiles(ReadContext context)
    {
        foreach (var (key, checkpoint) in _saved.ToList())
        {
            // Done, or already taken up as a missed generation of a file resumed before it.
            if (checkpoint.DoneAt is not null || _tailers.ContainsKey(key))
            {
                continue;
            }

            _saved.Remove(key);
            var fingerprint = new FileFingerprint(checkpoint.FingerprintLength, checkpoint.Fingerprint);
            string? found = FindByIdentity(Path.GetDirectoryName(checkpoint.RealPath), key);
            if (found is null || !FileStatus.TryGet(found, out var status, out _) || !StillStartsAsCheckpointed(found, fingerprint))
            {
                _lostCheckpoints.Add(checkpoint);
                continue;
            }

            var file = new DiscoveredFile(checkpoint.Path, [checkpoint.Path, found], status);
            var tailer = NewTailer(file, checkpoint.Offset, fingerprint, SinceOf(checkpoint));
            tailer.MarkGone(context.Now);
            Add(tailer, context, first: true);
            TailingLog.ResumingRotated(_logger, found, checkpoint.RealPath, checkpoint.Offset);

            // Generations rotated after it while we were down were written after its last write.
            DrainBeforeSuccessor(checkpoint.Path, tailer, AddMissedGenerations(context, file, tailer, File.GetLastWriteTimeUtc(found)));
        }

        foreach (var checkpoint in _lostCheckpoints)
        {
            // Its unshipped end is lost (kubelet compressed and deleted it), but generations rotated after it were all
            // written after it was first seen, and are read whole.
            TailingLog.CheckpointedFileGone(_logger, checkpoint.Path, checkpoint.Offset);
            if (SinceOf(checkpoint) is DateTime since)
            {
                var file = new DiscoveredFile(checkpoint.Path, [checkpoint.Path, checkpoint.RealPath], default);
                DrainBeforeSuccessor(checkpoint.Path, null, AddMissedGenerations(context, file, null, since));
            }
        }

        _lostCheckpoints.Clear();
        Publish();
    }

    // The file now at the checkpointed path was created after `last`, so it waits until `last` is drained.
    private void DrainBeforeSuccessor(string path, FileTailer? resumed, FileTailer? last)
    {
        if (last is not null && _byPath.TryGetValue(path, out var successor) && successor.ReadOffset == 0
            && !ReferenceEquals(successor, resumed) && !ReferenceEquals(successor, last))
        {
            successor.Predecessor = last;
        }
    }

    private FileTailer NewTailer(DiscoveredFile file, long offset, FileFingerprint? fingerprint, DateTime? since = null) =>
        new(file, offset, fingerprint, _encoderOptions, _options.MaxLineSize, since ?? _time.GetUtcNow().UtcDateTime);

    private void Add(FileTailer tailer, ReadContext context, bool first = false)
    {
        // A checkpoint of an earlier file in the same inode would otherwise be saved next to this one's.
        _saved.Remove(tailer.Identity);
        _tailers[tailer.Identity] = tailer;
        if (first)
        {
            _order.Insert(0, tailer);
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
    private FileTailer? AddMissedGenerations(ReadContext context, DiscoveredFile live, FileTailer? previous, DateTime modifiedAfterUtc)
    {
        var last = previous;
        foreach (var (path, status) in RotatedSiblings.Find(live.RealPath, modifiedAfterUtc, (key, path) => IsKnown(key, path, live)))
        {
            var missed = NewTailer(new DiscoveredFile(live.Path, [live.Path, path], status), 0, null);
            missed.Predecessor = last;
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

    private static string? FindByIdentity(string? directory, FileKey key)
    {
        if (directory is null || !Directory.Exists(directory))
        {
            return null;
        }

        try
        {
            foreach (string path in Directory.EnumerateFiles(directory))
            {
                if (FileStatus.TryGetNoFollow(path, out var status, out _) && status.Device == key.Device && status.Inode == key.Inode)
                {
                    return path;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return null;
    }

    private void SaveCheckpoints()
    {
        long nowSeconds = _time.GetUtcNow().ToUnixTimeSeconds();
        var checkpoints = new List<Checkpoint>(_order.Count + _saved.Count);
        bool removed = false;
        for (int i = _order.Count - 1; i >= 0; i--)
        {
            var tailer = _order[i];
            var fingerprint = tailer.Fingerprint;
            long committed = tailer.CommittedOffset;
            bool done = tailer.IsClosed && committed >= tailer.ReadOffset;
            var checkpoint = new Checkpoint(
                tailer.Identity.Device,
                tailer.Identity.Inode,
                fingerprint.Length,
                fingerprint.Hash,
                committed,
                tailer.File.Path,
                tailer.File.RealPath,
                done ? nowSeconds : null,
                new DateTimeOffset(tailer.DiscoveredAtUtc).ToUnixTimeMilliseconds());
            if (done)
            {
                // Shipped to the end and closed: remembered as a drained file, no longer tailed.
                _order.RemoveAt(i);
                _tailers.Remove(tailer.Identity);
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

        foreach (var (key, checkpoint) in _saved.ToList())
        {
            if (checkpoint.DoneAt is long doneAt && nowSeconds - doneAt > DoneRetentionSeconds)
            {
                _saved.Remove(key);
            }
            else
            {
                checkpoints.Add(checkpoint);
            }
        }

        if (removed)
        {
            Publish();
        }

        if (_lastSaved is not null && _lastSaved.SequenceEqual(checkpoints.OrderBy(c => c.Inode)))
        {
            return;
        }

        try
        {
            _store.Save(checkpoints);
            _lastSaved = [.. checkpoints.OrderBy(c => c.Inode)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TailingLog.CheckpointSaveFailed(_logger, _store.FilePath, e);
        }

    }

    private void Publish() => _snapshot = [.. _order];
}
