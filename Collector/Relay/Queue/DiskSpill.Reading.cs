using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Collector.Relay.Queue;

internal sealed partial class DiskSpill
{
    // Consumer only.
    private readonly byte[] _readHeader = new byte[HeaderLength];

    // The record behind the chunk the consumer took last, marked taken by Ack; guarded by _lock.
    private Segment? _unackedSegment;
    private long _unackedOffset;

    /// <summary>
    /// The oldest chunk on disk, or null when none is left. A damaged record ends its segment: the rest is counted as
    /// dropped and the next segment is read.
    /// </summary>
    public async ValueTask<RelayChunk?> ReadNextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Segment? segment = null;
            long offset;
            long end;
            lock (_lock)
            {
                foreach (var candidate in _segments)
                {
                    if (candidate.UnreadRecords > 0)
                    {
                        segment = candidate;
                        break;
                    }
                }

                if (segment is null)
                {
                    return null;
                }

                offset = segment.ReadOffset;
                end = segment.Length;
            }

            RelayChunk? chunk = null;
            string? problem = null;
            Exception? error = null;
            uint magic = 0;
            int length = 0;
            try
            {
                segment.ReadHandle ??= File.OpenHandle(segment.Path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
                await ReadExactlyAsync(segment.ReadHandle, _readHeader, offset, cancellationToken).ConfigureAwait(false);
                problem = ParseHeader(_readHeader, end - offset - HeaderLength, out magic, out length, out int messages, out uint checksum);
                if (problem is null && magic == RecordMagic)
                {
                    chunk = RelayChunk.Rent(length);
                    await ReadExactlyAsync(
                            segment.ReadHandle, chunk.RawBuffer[..length], offset + HeaderLength, cancellationToken)
                        .ConfigureAwait(false);
                    if (Checksum(length, messages, chunk.RawBuffer.Span[..length]) != checksum)
                    {
                        problem = "checksum mismatch";
                    }
                    else if (!chunk.CommitSpilled(length, messages))
                    {
                        problem = "message lengths do not add up";
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                problem = "read failed";
                error = e;
            }
            catch
            {
                // Cancelled: the record stays unread and is read again next time.
                chunk?.Return();
                throw;
            }

            if (problem is not null)
            {
                chunk?.Return();
                chunk = null;
            }

            long dropped = 0;
            bool done = false;
            lock (_lock)
            {
                if (segment.Removed)
                {
                    // Dropped by the disk bound while being read: its messages are counted already.
                    chunk?.Return();
                    segment.ReadHandle?.Dispose();
                    continue;
                }

                if (problem is not null)
                {
                    dropped = segment.UnreadMessages;
                    SkipRest(segment);
                    done = IsDone(segment);
                    if (done)
                    {
                        Remove(segment);
                    }
                }
                else
                {
                    segment.ReadOffset = offset + HeaderLength + length;
                    if (chunk is not null)
                    {
                        segment.UnreadRecords--;
                        segment.UnreadMessages -= chunk.Messages;
                        segment.UnreadBytes -= chunk.Length;
                        _unreadRecords--;
                        _unreadMessages -= chunk.Messages;
                        _unreadBytes -= chunk.Length;
                        _unackedSegment = segment;
                        _unackedOffset = offset;
                    }
                }
            }

            if (problem is not null)
            {
                Interlocked.Increment(ref _spillErrors);
                RelayQueueLog.DamagedRecord(_logger, _options.Name, segment.Path, offset, problem, dropped, error);
                if (done)
                {
                    Delete(segment);
                }

                if (dropped > 0)
                {
                    _dropped(dropped);
                }

                continue;
            }

            if (chunk is not null)
            {
                return chunk;
            }

            // A record marked taken (by a previous process): skipped.
        }
    }

    /// <summary>
    /// Marks the chunk taken last as delivered: on disk it is marked taken, or its segment deleted when that was
    /// the last one.
    /// </summary>
    public void Ack()
    {
        Segment? segment;
        long offset;
        bool done;
        lock (_lock)
        {
            segment = _unackedSegment;
            offset = _unackedOffset;
            _unackedSegment = null;
            if (segment is null || segment.Removed)
            {
                return;
            }

            done = IsDone(segment);
            if (done)
            {
                Remove(segment);
            }
        }

        if (done)
        {
            Delete(segment);
            return;
        }

        Span<byte> magic = stackalloc byte[sizeof(uint)];
        BinaryPrimitives.WriteUInt32LittleEndian(magic, TakenMagic);
        try
        {
            RandomAccess.Write(segment.ReadHandle!, magic, offset);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            // Not worth a drop or an error count: at worst this one chunk is sent again after a restart.
        }
    }

    // Under _lock: "the rest of that segment is skipped"; records the writer appends later are read again.
    private void SkipRest(Segment segment)
    {
        segment.ReadOffset = segment.Length;
        _unreadRecords -= segment.UnreadRecords;
        _unreadMessages -= segment.UnreadMessages;
        _unreadBytes -= segment.UnreadBytes;
        segment.UnreadRecords = 0;
        segment.UnreadMessages = 0;
        segment.UnreadBytes = 0;
    }

    private static async ValueTask ReadExactlyAsync(SafeFileHandle handle, Memory<byte> buffer, long offset, CancellationToken cancellationToken)
    {
        while (buffer.Length > 0)
        {
            int read = await RandomAccess.ReadAsync(handle, buffer, offset, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException("The segment is shorter than its records say (cut from outside).");
            }

            buffer = buffer[read..];
            offset += read;
        }
    }
}
