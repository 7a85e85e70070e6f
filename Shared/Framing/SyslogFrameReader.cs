using System.Buffers;

namespace Shared.Framing;

/// <summary>
/// Splits one TCP stream into syslog frames, detecting the framing per frame as rsyslog's imtcp does: a frame that
/// starts with a digit is octet-counted (RFC 6587 §3.4.1; a syslog message starts with '&lt;'), anything else is a
/// line (§3.4.2). One instance per connection: it remembers the unread rest of a truncated frame so that rest is
/// skipped rather than read as a new message. Not thread-safe.
/// </summary>
public sealed class SyslogFrameReader
{
    public const int DefaultMaxFrameLength = 64 * 1024;

    private readonly int _maxFrameLength;
    private readonly OversizeFrameHandling _oversize;
    private long _skipBytes;
    private bool _skipToLineEnd;

    public SyslogFrameReader(int maxFrameLength = DefaultMaxFrameLength, OversizeFrameHandling oversize = OversizeFrameHandling.Truncate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrameLength, 1);
        _maxFrameLength = maxFrameLength;
        _oversize = oversize;
    }

    public int MaxFrameLength => _maxFrameLength;

    /// <summary>Frames delivered truncated so far.</summary>
    public long TruncatedFrames { get; private set; }

    /// <summary>
    /// True while the rest of a truncated frame is still being discarded (a partial frame at end of stream).
    /// </summary>
    public bool IsSkipping => _skipBytes > 0 || _skipToLineEnd;

    /// <summary>
    /// Reads the next frame from <paramref name="buffer"/>, which is advanced past what was consumed.
    /// <see cref="OperationStatus.NeedMoreData"/> leaves an incomplete frame unconsumed (it may consume skipped bytes
    /// and blank lines); <see cref="OperationStatus.InvalidData"/> means the stream cannot be framed any further.
    /// </summary>
    public OperationStatus TryReadFrame(ref ReadOnlySequence<byte> buffer, out SyslogFrame frame, out FramingError error)
    {
        frame = default;
        error = default;
        if (!Skip(ref buffer))
        {
            return OperationStatus.NeedMoreData;
        }

        SkipBlankLines(ref buffer);
        if (buffer.IsEmpty)
        {
            return OperationStatus.NeedMoreData;
        }

        byte first = buffer.FirstSpan[0];
        return (uint)(first - '0') <= 9
            ? ReadOctetCounted(ref buffer, out frame, out error)
            : ReadLine(ref buffer, out frame, out error);
    }

    private OperationStatus ReadOctetCounted(ref ReadOnlySequence<byte> buffer, out SyslogFrame frame, out FramingError error)
    {
        frame = default;
        var status = OctetCountingFramer.TryReadLength(buffer, out int length, out int prefixLength, out error);
        if (status != OperationStatus.Done)
        {
            return status;
        }

        if (length <= _maxFrameLength)
        {
            if (buffer.Length - prefixLength < length)
            {
                return OperationStatus.NeedMoreData;
            }

            var payload = buffer.Slice(prefixLength, length);
            buffer = buffer.Slice(payload.End);
            frame = new SyslogFrame(payload, SyslogFraming.OctetCounting);
            return OperationStatus.Done;
        }

        if (_oversize == OversizeFrameHandling.Reject)
        {
            error = new FramingError(FramingErrorCode.FrameTooLarge, length, _maxFrameLength);
            return OperationStatus.InvalidData;
        }

        if (buffer.Length - prefixLength < _maxFrameLength)
        {
            return OperationStatus.NeedMoreData;
        }

        var head = buffer.Slice(prefixLength, _maxFrameLength);
        buffer = buffer.Slice(head.End);
        _skipBytes = length - _maxFrameLength;
        TruncatedFrames++;
        frame = new SyslogFrame(head, SyslogFraming.OctetCounting, isTruncated: true, length);
        return OperationStatus.Done;
    }

    private OperationStatus ReadLine(ref ReadOnlySequence<byte> buffer, out SyslogFrame frame, out FramingError error)
    {
        frame = default;
        var status = LineFramer.TryReadFrame(ref buffer, _maxFrameLength, out var payload, out error);
        if (status == OperationStatus.Done)
        {
            frame = new SyslogFrame(payload, SyslogFraming.LineFeed);
            return status;
        }

        if (status == OperationStatus.NeedMoreData || _oversize == OversizeFrameHandling.Reject)
        {
            return status;
        }

        // Too long: deliver the first MaxFrameLength bytes, then discard through the line's trailer.
        error = default;
        var head = buffer.Slice(0, _maxFrameLength);
        bool complete = LineFramer.FindTrailer(buffer, out long trailerAt) == OperationStatus.Done;
        buffer = complete ? buffer.Slice(trailerAt + 1) : buffer.Slice(head.End);
        _skipToLineEnd = !complete;
        TruncatedFrames++;
        frame = new SyslogFrame(head, SyslogFraming.LineFeed, isTruncated: true, complete ? trailerAt : -1);
        return OperationStatus.Done;
    }

    /// <summary>
    /// Blank lines between frames (an LF, NUL or CR LF alone, e.g. an uncounted LF after an octet-counted frame) carry
    /// no message. They are skipped before the next frame's framing is decided: left to the line framer, they would
    /// make it read the octet-counted frame after them as a line, up to the next LF.
    /// </summary>
    private static void SkipBlankLines(ref ReadOnlySequence<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            byte first = buffer.FirstSpan[0];
            if (first is (byte)'\n' or 0)
            {
                buffer = buffer.Slice(1);
            }
            else if (first == '\r' && buffer.Length > 1 && buffer.Slice(1, 1).FirstSpan[0] == '\n')
            {
                buffer = buffer.Slice(2);
            }
            else
            {
                return;
            }
        }
    }

    /// <summary>Discards the unread rest of a truncated frame. False while more of it is still to come.</summary>
    private bool Skip(ref ReadOnlySequence<byte> buffer)
    {
        if (_skipBytes > 0)
        {
            long n = Math.Min(_skipBytes, buffer.Length);
            buffer = buffer.Slice(n);
            _skipBytes -= n;
            return _skipBytes == 0;
        }

        if (_skipToLineEnd)
        {
            if (LineFramer.FindTrailer(buffer, out long trailerAt) != OperationStatus.Done)
            {
                buffer = buffer.Slice(buffer.End);
                return false;
            }

            buffer = buffer.Slice(trailerAt + 1);
            _skipToLineEnd = false;
        }

        return true;
    }
}
