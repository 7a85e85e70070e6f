namespace Collector.Sources;

public sealed partial class SourceTracker
{
    /// <summary>
    /// Loads <c>sources.json</c> and reads the lines written after its position. Without one (the first start) reading
    /// starts at the current file's end: lines written before carry no origins this Collector had accepted.
    /// </summary>
    private void Rebuild()
    {
        var saved = _store.Load();
        if (saved is not null)
        {
            _ledger.Load(saved.Sources.Select(ToRecord).OfType<SourceRecord>(), saved.Gaps, saved.GapBytes);
            _marks.SeedTotals(saved.Duplicates, saved.Malformed, saved.Rejected);
        }

        long read = 0;
        string file = _path;
        if (saved?.Position is not { } position)
        {
            _file = OpenCurrent();
            _offset = _file is null ? 0 : RandomAccess.GetLength(_file);
            _head = HeadOf(_path, out _);
        }
        else if (position.Offset == 0)
        {
            _file = OpenCurrent();
            _offset = 0;
            read = ReadToEnd();
        }
        else if (HeadOf(_path, out long length) is { } head && head == position.Head && length >= position.Offset)
        {
            _file = OpenCurrent();
            _offset = position.Offset;
            _head = head;
            read = ReadToEnd();
        }
        else
        {
            string rotated = _files.Previous;
            if (HeadOf(rotated, out long rotatedLength) is { } rotatedHead && rotatedHead == position.Head && rotatedLength >= position.Offset)
            {
                _file = File.OpenHandle(rotated, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                _offset = position.Offset;
                read = ReadToEnd();
                _file.Dispose();
                file = rotated + " and " + _path;
            }
            else
            {
                SourcesLog.PositionLost(_logger, _path);
            }

            _file = OpenCurrent();
            _offset = 0;
            _head = null;
            read += ReadToEnd();
        }

        _generation = _written.Position.Generation;
        foreach (var record in _ledger.Snapshot())
        {
            var saves = saved?.Sources.FirstOrDefault(s => s.Id == Origin.FormatId(record.Id));
            _marks.Seed(record.Id, record.State, saves?.Duplicates ?? 0, Math.Max(saves?.LastSeen ?? 0, record.LastStored));
        }

        SourcesLog.Rebuilt(_logger, _ledger.Count, read, file);
    }

    private void Save()
    {
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var expired = _ledger.Expire(now - (long)Retention.TotalMilliseconds, MaxSources);
        foreach (ulong id in expired)
        {
            _marks.Forget(id);
        }

        foreach (var (id, lastSeen) in _marks.All())
        {
            if (lastSeen < now - (long)Retention.TotalMilliseconds)
            {
                _marks.Forget(id);
            }
        }

        if (expired.Count > 0)
        {
            SourcesLog.Expired(_logger, expired.Count);
        }

        var sources = _ledger.Snapshot().Select(r =>
        {
            var (duplicates, lastSeen) = _marks.Get(r.Id);
            return new SavedSource(
                Origin.FormatId(r.Id), r.Node, r.Path, r.Namespace, r.Pod, r.Container, r.App, r.First,
                r.State.Mark, r.State.JumpFrom, r.State.JumpTo,
                r.Lines, r.Gaps, r.GapBytes, r.GapRanges, r.Rejected, r.LastStored, duplicates, Math.Max(lastSeen, r.LastStored));
        }).ToList();
        var position = _head is null && _offset > 0 ? null : new SavedPosition(_head ?? "", _offset);
        _store.Save(new SourcesFile(
            SourcesFile.CurrentVersion,
            position,
            _ledger.Gaps,
            _ledger.GapBytes,
            _marks.Duplicates,
            _marks.Malformed,
            _marks.Rejected,
            sources));
        _lastSave = _time.GetTimestamp();
        _dirty = false;
    }

    /// <summary>Null for an entry whose id is not one (a hand-edited file).</summary>
    private static SourceRecord? ToRecord(SavedSource s)
    {
        if (!Origin.TryParseId(System.Text.Encoding.ASCII.GetBytes(s.Id ?? ""), out ulong id))
        {
            return null;
        }

        return new SourceRecord(id)
        {
            Node = s.Node,
            Path = s.Path,
            Namespace = s.Namespace,
            Pod = s.Pod,
            Container = s.Container,
            App = s.App,
            First = s.First,
            State = new SourceMark(s.Mark, s.JumpFrom, s.JumpTo),
            Lines = s.Lines,
            Gaps = s.Gaps,
            GapBytes = s.GapBytes,
            GapRanges = s.GapRanges ?? [],
            Rejected = s.Rejected,
            LastStored = s.LastStored,
        };
    }
}
