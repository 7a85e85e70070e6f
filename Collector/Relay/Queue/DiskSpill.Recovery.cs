namespace Collector.Relay.Queue;

internal sealed partial class DiskSpill
{
    /// <summary>
    /// Queues the segments a previous process left, in seq order. Only headers are read here (a damaged payload is
    /// found by its checksum when read); a bad header or a torn tail ends that segment's readable part.
    /// </summary>
    private void Recover()
    {
        string[] files;
        try
        {
            if (!Directory.Exists(_directory))
            {
                return;
            }

            files = Directory.GetFiles(_directory, "*" + Extension);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Interlocked.Increment(ref _spillErrors);
            RelayQueueLog.SpillDirectoryUnreadable(_logger, _options.Name, _directory, e);
            return;
        }

        var found = new List<(long Seq, string Path)>();
        foreach (var file in files)
        {
            if (TryParseSeq(file, out long seq))
            {
                found.Add((seq, file));
            }
        }

        found.Sort((a, b) => a.Seq.CompareTo(b.Seq));
        foreach (var (seq, path) in found)
        {
            if (Scan(seq, path) is { } segment)
            {
                _segments.Add(segment);
                _diskBytes += segment.DiskBytes;
                _unreadRecords += segment.UnreadRecords;
                _unreadMessages += segment.UnreadMessages;
                _unreadBytes += segment.UnreadBytes;
            }
        }

        // New segments go after every file found, readable or not, so none is overwritten.
        _nextSeq = found.Count > 0 ? found[^1].Seq + 1 : 0;
        if (_segments.Count > 0)
        {
            RelayQueueLog.Recovered(_logger, _options.Name, _segments.Count, _unreadMessages, _unreadBytes, _directory);
        }
    }

    private Segment? Scan(long seq, string path)
    {
        var segment = new Segment(seq, path) { Closed = true, ReadOffset = -1 };
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            long fileLength = RandomAccess.GetLength(handle);
            Span<byte> header = stackalloc byte[HeaderLength];
            long offset = 0;
            while (offset < fileLength)
            {
                string? problem;
                int length = 0;
                if (fileLength - offset < HeaderLength || RandomAccess.Read(handle, header, offset) < HeaderLength)
                {
                    problem = "incomplete header";
                }
                else
                {
                    problem = ParseHeader(header, fileLength - offset - HeaderLength, out uint magic, out length, out int messages, out _);
                    if (problem is null && magic == RecordMagic)
                    {
                        if (segment.ReadOffset < 0)
                        {
                            segment.ReadOffset = offset;
                        }

                        segment.UnreadRecords++;
                        segment.UnreadMessages += messages;
                        segment.UnreadBytes += length;
                    }
                }

                if (problem is not null)
                {
                    Interlocked.Increment(ref _spillErrors);
                    RelayQueueLog.DamagedTail(_logger, _options.Name, path, offset, problem, fileLength - offset);
                    break;
                }

                offset += HeaderLength + length;
            }

            segment.Length = offset;
            segment.DiskBytes = fileLength;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Interlocked.Increment(ref _spillErrors);
            RelayQueueLog.SegmentUnreadable(_logger, _options.Name, path, e);
            return null;
        }

        if (segment.UnreadRecords == 0)
        {
            // Everything in it was taken (or nothing readable was ever written).
            TryDeleteFile(path);
            return null;
        }

        return segment;
    }
}
