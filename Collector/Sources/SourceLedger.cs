using System.Text;
using Collector.Storage;
using Shared.Syslog;

namespace Collector.Sources;

/// <summary>
/// Per source, what the messages file holds: built only from lines read back from the file (by the
/// <see cref="SourceTracker"/>), so it never claims a line that was queued but not written. Its marks seed the
/// ingest's <see cref="SourceMarks"/> at start-up. The API reads snapshots; the tracker's thread applies lines.
/// </summary>
public sealed class SourceLedger(LineFormat format)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, SourceRecord> _sources = [];
    private long _gaps;
    private long _gapBytes;

    public LineFormat Format => format;

    public long Gaps
    {
        get
        {
            lock (_lock)
            {
                return _gaps;
            }
        }
    }

    public long GapBytes
    {
        get
        {
            lock (_lock)
            {
                return _gapBytes;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _sources.Count;
            }
        }
    }

    /// <summary>
    /// Applies every complete line of <paramref name="lines"/> (each ending in LF); returns how many carried an origin.
    /// </summary>
    public int ApplyLines(ReadOnlySpan<byte> lines, long now)
    {
        int applied = 0;
        lock (_lock)
        {
            while (!lines.IsEmpty)
            {
                int newline = lines.IndexOf((byte)'\n');
                var line = newline < 0 ? lines : lines[..newline];
                lines = newline < 0 ? default : lines[(newline + 1)..];
                if (ApplyLocked(line, now))
                {
                    applied++;
                }
            }
        }

        return applied;
    }

    public List<SourceRecord> Snapshot()
    {
        lock (_lock)
        {
            return [.. _sources.Values.Select(Copy)];
        }
    }

    /// <summary>At start-up, what was saved; totals come back as they were.</summary>
    public void Load(IEnumerable<SourceRecord> records, long gaps, long gapBytes)
    {
        lock (_lock)
        {
            foreach (var record in records)
            {
                _sources[record.Id] = record;
            }

            _gaps = gaps;
            _gapBytes = gapBytes;
        }
    }

    /// <summary>
    /// Forgets sources last stored before <paramref name="before"/> (Unix ms), and the oldest beyond
    /// <paramref name="max"/>; returns them.
    /// </summary>
    public List<ulong> Expire(long before, int max)
    {
        lock (_lock)
        {
            var old = _sources.Values.Where(r => r.LastStored < before).Select(r => r.Id).ToList();
            if (_sources.Count - old.Count > max)
            {
                old.AddRange(_sources.Values
                    .Where(r => r.LastStored >= before)
                    .OrderBy(r => r.LastStored)
                    .Take(_sources.Count - old.Count - max)
                    .Select(r => r.Id));
            }

            foreach (ulong id in old)
            {
                _sources.Remove(id);
            }

            return old;
        }
    }

    private bool ApplyLocked(ReadOnlySpan<byte> line, long now)
    {
        if (!StoredOrigin.TryFind(line, format, out var sd, out var host, out var app)
            || !Origin.TryRead(sd, out var origin, out var path, out _))
        {
            return false;
        }

        if (!_sources.TryGetValue(origin.Source, out var record))
        {
            record = new SourceRecord(origin.Source) { First = origin.From };
            Describe(record, sd, host, app);
            _sources.Add(origin.Source, record);
        }

        if (record.Path is null && !path.IsEmpty)
        {
            record.Path = StructuredDataValue.ToString(path);
        }

        var state = record.State;
        var verdict = OriginRules.Apply(ref state, origin, out var gap);
        record.State = state;
        record.Lines++;
        record.LastStored = now;
        if (verdict == OriginVerdict.Gap)
        {
            record.AddGap(gap.From, gap.To, now);
            _gaps++;
            _gapBytes += gap.To - gap.From;
        }
        else if (verdict == OriginVerdict.Rejected)
        {
            record.Rejected++;
        }

        if (Origin.TryReadLost(sd, out ulong lostSource, out long lostFrom))
        {
            ApplyLossLocked(lostSource, lostFrom, now);
        }

        return true;
    }

    /// <summary>
    /// Source <paramref name="source"/>'s file was deleted before the Forwarder read it past <paramref name="from"/>: a
    /// gap from there (or from what was stored, if more) to an end nobody knows (<see cref="GapRange.To"/> -1, no
    /// bytes counted). A source this Collector never stored has nothing to attach it to.
    /// </summary>
    private void ApplyLossLocked(ulong source, long from, long now)
    {
        if (!_sources.TryGetValue(source, out var record))
        {
            return;
        }

        long start = Math.Max(from, record.State.Mark);
        if (record.GapRanges.Any(g => g.To < 0 && g.From == start))
        {
            return;
        }

        record.AddGap(start, -1, now);
        _gaps++;
    }

    /// <summary>
    /// Names a new source after its first stored line: the node, and namespace, pod and container from any element.
    /// </summary>
    private static void Describe(SourceRecord record, ReadOnlySpan<byte> sd, ReadOnlySpan<byte> host, ReadOnlySpan<byte> app)
    {
        record.Node = Encoding.UTF8.GetString(host);
        record.App = app.IsEmpty || app is [(byte)'-'] ? null : Encoding.UTF8.GetString(app);
        var reader = new StructuredDataReader(sd);
        while (reader.ReadElement(out _))
        {
            while (reader.ReadParameter(out var name, out var value))
            {
                if (name.SequenceEqual("namespace"u8))
                {
                    record.Namespace ??= StructuredDataValue.ToString(value);
                }
                else if (name.SequenceEqual("pod"u8))
                {
                    record.Pod ??= StructuredDataValue.ToString(value);
                }
                else if (name.SequenceEqual("container"u8))
                {
                    record.Container ??= StructuredDataValue.ToString(value);
                }
            }
        }
    }

    private static SourceRecord Copy(SourceRecord r) => new(r.Id)
    {
        Node = r.Node,
        Path = r.Path,
        Namespace = r.Namespace,
        Pod = r.Pod,
        Container = r.Container,
        App = r.App,
        First = r.First,
        State = r.State,
        Lines = r.Lines,
        Gaps = r.Gaps,
        GapBytes = r.GapBytes,
        GapRanges = [.. r.GapRanges],
        Rejected = r.Rejected,
        LastStored = r.LastStored,
    };
}
