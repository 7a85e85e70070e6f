using Microsoft.Win32.SafeHandles;

namespace Collector.Relay.Queue;

/// <summary>
/// The disk part of a relay queue: segment files <c>&lt;seq&gt;.seg</c>, read in ascending seq order, each a run of
/// records (one chunk each). One writer appends and one consumer reads, each with its own handle and positional I/O,
/// so neither waits for the other's I/O; only the counts are shared, under a lock never held during I/O.
/// A chunk the consumer takes is marked taken on disk when it asks for the next one (it was delivered by then),
/// so a restart resends at most that one chunk.
/// </summary>
internal sealed partial class DiskSpill : IDisposable
{
    private readonly RelayQueueOptions _options;
    private readonly string _directory;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Action<long> _dropped;

    // Segments and counts shared by the writer and the consumer.
    private readonly Lock _lock = new();

    // Serialises everything that writes files (spilling, persisting, discarding, closing); the consumer never takes it.
    private readonly Lock _writeLock = new();
    private readonly List<Segment> _segments = [];
    private readonly byte[] _header = new byte[HeaderLength];
    private readonly ReadOnlyMemory<byte>[] _record = new ReadOnlyMemory<byte>[2];

    private Segment? _writeSegment;
    private long _nextSeq;
    private bool _discarded;
    private long _unreadRecords;
    private long _unreadMessages;
    private long _unreadBytes;
    private long _diskBytes;
    private long _spillErrors;
    private long _lastErrorReport = long.MinValue;
    private int _errorsSinceReport;

    // The record Write wrote and CommitWrite has yet to count; guarded by _lock.
    private Segment? _uncommittedSegment;
    private long _uncommittedRecord;
    private int _uncommittedMessages;

    public DiskSpill(RelayQueueOptions options, ILogger logger, TimeProvider time, Action<long> dropped)
    {
        _options = options;
        _directory = options.SpillDirectory ?? throw new ArgumentException("A spill directory is required.", nameof(options));
        _logger = logger;
        _time = time;
        _dropped = dropped;
        Recover();
    }

    public long UnreadRecords => Volatile.Read(ref _unreadRecords);

    public long UnreadMessages => Volatile.Read(ref _unreadMessages);

    public long UnreadBytes => Volatile.Read(ref _unreadBytes);

    public long DiskBytes => Volatile.Read(ref _diskBytes);

    public long SpillErrors => Interlocked.Read(ref _spillErrors);

    public int Segments
    {
        get
        {
            lock (_lock)
            {
                return _segments.Count;
            }
        }
    }

    /// <summary>
    /// Writes a chunk after everything on disk; true when written, and then <see cref="CommitWrite"/> makes it
    /// readable. A chunk that cannot be written is counted as dropped. The caller still returns the chunk.
    /// </summary>
    public bool Write(RelayChunk chunk)
    {
        long record = HeaderLength + chunk.Length;
        lock (_writeLock)
        {
            List<Segment>? evicted = null;
            long dropped = 0;
            bool fits;
            lock (_lock)
            {
                fits = !_discarded && record <= _options.MaxSpillBytes;

                // The disk bound drops whole segments, oldest first, as the memory bound drops whole chunks.
                while (fits && _diskBytes + record > _options.MaxSpillBytes && _segments.Count > 0)
                {
                    var oldest = _segments[0];
                    dropped += Remove(oldest);
                    (evicted ??= []).Add(oldest);
                }
            }

            foreach (var segment in evicted ?? [])
            {
                Delete(segment);
            }

            if (!fits)
            {
                dropped += chunk.Messages;
            }

            if (dropped > 0)
            {
                _dropped(dropped);
            }

            return fits && Append(chunk, record);
        }
    }

    /// <summary>
    /// Counts the record <see cref="Write"/> wrote as queued on disk. Separate so the queue can do it under its own
    /// lock, together with forgetting the chunk it was writing: no moment where the chunk counts twice or not at all.
    /// Returns the messages dropped when the spill was discarded meanwhile.
    /// </summary>
    public long CommitWrite()
    {
        lock (_lock)
        {
            var segment = _uncommittedSegment;
            _uncommittedSegment = null;
            if (segment is null)
            {
                return 0;
            }

            if (segment.Removed)
            {
                return _uncommittedMessages;
            }

            segment.Length += _uncommittedRecord;
            segment.DiskBytes += _uncommittedRecord;
            segment.UnreadRecords++;
            segment.UnreadMessages += _uncommittedMessages;
            segment.UnreadBytes += _uncommittedRecord - HeaderLength;
            _diskBytes += _uncommittedRecord;
            _unreadRecords++;
            _unreadMessages += _uncommittedMessages;
            _unreadBytes += _uncommittedRecord - HeaderLength;
            return 0;
        }
    }

    private bool Append(RelayChunk chunk, long record)
    {
        if (_writeSegment is { } full && full.Length > 0 && full.Length + record > _options.SegmentBytes)
        {
            CloseWriteSegment();
        }

        var segment = _writeSegment;
        try
        {
            segment ??= OpenWriteSegment();
            WriteRecord(segment.WriteHandle!, segment.Length, chunk);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteFailed(segment?.Path ?? _directory, e);
            if (segment is not null)
            {
                // Cut a partly written record so the file ends with whole records; if that fails too, the next
                // start finds a damaged tail and skips it.
                try
                {
                    RandomAccess.SetLength(segment.WriteHandle!, segment.Length);
                }
                catch (IOException)
                {
                }

                CloseWriteSegment(flush: false);
            }

            _dropped(chunk.Messages);
            return false;
        }

        lock (_lock)
        {
            _uncommittedSegment = segment;
            _uncommittedRecord = record;
            _uncommittedMessages = chunk.Messages;
        }

        return true;
    }

    private Segment OpenWriteSegment()
    {
        // Created on each new segment, not once: a directory removed or made writable later heals by itself.
        Directory.CreateDirectory(_directory);
        long seq = _nextSeq++;
        var segment = new Segment(seq, Path.Combine(_directory, SegmentName(seq)));
        segment.WriteHandle = File.OpenHandle(segment.Path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        lock (_lock)
        {
            _segments.Add(segment);
        }

        _writeSegment = segment;
        return segment;
    }

    private void WriteRecord(SafeFileHandle handle, long offset, RelayChunk chunk)
    {
        WriteHeader(_header, chunk);
        _record[0] = _header;
        _record[1] = chunk.Memory;

        // One gathered write: the consumer, which reads only up to the committed length, never sees half a record.
        RandomAccess.Write(handle, _record, offset);
        _record[1] = default;
    }

    // After a failed write no flush: that error is counted already and the next segment is tried instead.
    private void CloseWriteSegment(bool flush = true)
    {
        if (_writeSegment is not { } segment)
        {
            return;
        }

        _writeSegment = null;
        try
        {
            if (flush)
            {
                RandomAccess.FlushToDisk(segment.WriteHandle!);
            }
        }
        catch (IOException e)
        {
            WriteFailed(segment.Path, e);
        }

        segment.WriteHandle!.Dispose();
        segment.WriteHandle = null;
        bool done;
        lock (_lock)
        {
            segment.Closed = true;
            done = IsDone(segment);
            if (done)
            {
                Remove(segment);
            }
        }

        if (done)
        {
            Delete(segment);
        }
    }

    // Under _lock: a segment is deleted once closed and fully taken.
    private bool IsDone(Segment segment) => segment.Closed && segment.UnreadRecords == 0 && _unackedSegment != segment && !segment.Removed;

    // Under _lock: takes a segment out of the queue; returns its unread messages, which the caller counts as dropped.
    private long Remove(Segment segment)
    {
        segment.Removed = true;
        _segments.Remove(segment);
        _diskBytes -= segment.DiskBytes;
        _unreadRecords -= segment.UnreadRecords;
        _unreadMessages -= segment.UnreadMessages;
        _unreadBytes -= segment.UnreadBytes;
        if (_unackedSegment == segment)
        {
            _unackedSegment = null;
        }

        if (_writeSegment == segment)
        {
            _writeSegment = null;
        }

        return segment.UnreadMessages;
    }

    // Outside _lock, after Remove. The consumer may still hold the read handle in a read: SafeHandle defers the close
    // until that read ends, and the consumer sees Removed and drops what it read.
    private void Delete(Segment segment)
    {
        segment.WriteHandle?.Dispose();
        segment.ReadHandle?.Dispose();
        TryDeleteFile(segment.Path);
    }

    private void TryDeleteFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            RelayQueueLog.DeleteFailed(_logger, _options.Name, path, e);
        }
    }

    private void WriteFailed(string path, Exception exception)
    {
        Interlocked.Increment(ref _spillErrors);

        // Under _writeLock. A full disk fails every chunk: one Warning per interval with the count since the last.
        _errorsSinceReport++;
        long now = _time.GetTimestamp();
        if (_lastErrorReport == long.MinValue || _time.GetElapsedTime(_lastErrorReport, now) >= RelayQueue.ReportInterval)
        {
            RelayQueueLog.SpillWriteFailed(_logger, _options.Name, path, _errorsSinceReport, exception);
            _errorsSinceReport = 0;
            _lastErrorReport = now;
        }
    }
}
