namespace Collector.Relay.Queue;

internal sealed partial class DiskSpill
{
    /// <summary>
    /// Writes chunks as one new segment in front of all others (they are older than anything on disk), flushed to
    /// disk. Ignores the disk bound: at shutdown keeping what was in memory matters more. False when not written.
    /// </summary>
    public bool WriteFront(IReadOnlyList<RelayChunk> chunks)
    {
        lock (_writeLock)
        {
            if (_discarded)
            {
                return false;
            }

            CloseWriteSegment();
            long seq;
            lock (_lock)
            {
                seq = _segments.Count > 0 ? _segments[0].Seq - 1 : _nextSeq++;
            }

            while (File.Exists(Path.Combine(_directory, SegmentName(seq))))
            {
                seq--;
            }

            var segment = new Segment(seq, Path.Combine(_directory, SegmentName(seq))) { Closed = true };
            try
            {
                Directory.CreateDirectory(_directory);
                using var handle = File.OpenHandle(segment.Path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
                foreach (var chunk in chunks)
                {
                    WriteRecord(handle, segment.Length, chunk);
                    segment.Length += HeaderLength + chunk.Length;
                    segment.UnreadRecords++;
                    segment.UnreadMessages += chunk.Messages;
                    segment.UnreadBytes += chunk.Length;
                }

                RandomAccess.FlushToDisk(handle);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                WriteFailed(segment.Path, e);
                TryDeleteFile(segment.Path);
                return false;
            }

            segment.DiskBytes = segment.Length;
            lock (_lock)
            {
                _segments.Insert(0, segment);
                _diskBytes += segment.DiskBytes;
                _unreadRecords += segment.UnreadRecords;
                _unreadMessages += segment.UnreadMessages;
                _unreadBytes += segment.UnreadBytes;
            }

            RelayQueueLog.Persisted(_logger, _options.Name, segment.UnreadMessages, segment.UnreadRecords, segment.Path);
            return true;
        }
    }

    /// <summary>
    /// Deletes every segment; later writes are dropped and counted. Returns the unread messages deleted.
    /// </summary>
    public long Discard()
    {
        lock (_writeLock)
        {
            List<Segment> all;
            long dropped = 0;
            lock (_lock)
            {
                _discarded = true;
                all = [.. _segments];
                foreach (var segment in all)
                {
                    dropped += Remove(segment);
                }
            }

            foreach (var segment in all)
            {
                Delete(segment);
            }

            return dropped;
        }
    }

    /// <summary>
    /// Closes (and flushes) the segment being written and the consumer's handles; the files stay for the next start.
    /// </summary>
    public void Dispose()
    {
        lock (_writeLock)
        {
            CloseWriteSegment();
            lock (_lock)
            {
                foreach (var segment in _segments)
                {
                    segment.ReadHandle?.Dispose();
                }
            }
        }
    }
}
