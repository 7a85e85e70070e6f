using System.Buffers;

namespace Shared.Framing;

/// <summary>
/// RFC 6587 §3.4.1 octet counting: <c>SYSLOG-FRAME = MSG-LEN SP SYSLOG-MSG</c>, MSG-LEN = NONZERO-DIGIT *DIGIT.
/// </summary>
public static class OctetCountingFramer
{
    /// <summary>MSG-LEN of a 31-bit length has at most 10 digits.</summary>
    private const int MaxDigits = 10;

    /// <summary>
    /// Reads one frame from the start of <paramref name="buffer"/>. On <see cref="OperationStatus.Done"/>,
    /// <paramref name="frame"/> is the message and <paramref name="buffer"/> starts after it; on
    /// <see cref="OperationStatus.NeedMoreData"/> nothing is consumed; on <see cref="OperationStatus.InvalidData"/> the
    /// stream cannot be framed any further.
    /// </summary>
    public static OperationStatus TryReadFrame(
        ref ReadOnlySequence<byte> buffer, int maxFrameLength, out ReadOnlySequence<byte> frame, out FramingError error)
    {
        frame = default;
        var status = TryReadLength(buffer, out int length, out int prefixLength, out error);
        if (status != OperationStatus.Done)
        {
            return status;
        }

        if (length > maxFrameLength)
        {
            error = new FramingError(FramingErrorCode.FrameTooLarge, length, maxFrameLength);
            return OperationStatus.InvalidData;
        }

        if (buffer.Length - prefixLength < length)
        {
            return OperationStatus.NeedMoreData;
        }

        frame = buffer.Slice(prefixLength, length);
        buffer = buffer.Slice(frame.End);
        return OperationStatus.Done;
    }

    /// <summary>Reads <c>MSG-LEN SP</c>; <paramref name="prefixLength"/> counts the digits and the SP.</summary>
    public static OperationStatus TryReadLength(in ReadOnlySequence<byte> buffer, out int length, out int prefixLength, out FramingError error)
    {
        length = 0;
        prefixLength = 0;
        error = default;

        // A prefix is at most 11 bytes: copy it out of a multi-segment buffer once (HttpParser's rule).
        Span<byte> scratch = stackalloc byte[MaxDigits + 1];
        ReadOnlySpan<byte> head = scratch;
        if (buffer.FirstSpan.Length > MaxDigits || buffer.IsSingleSegment)
        {
            head = buffer.FirstSpan;
        }
        else
        {
            int copied = (int)Math.Min(buffer.Length, scratch.Length);
            buffer.Slice(0, copied).CopyTo(scratch);
            head = scratch[..copied];
        }

        if (head.IsEmpty)
        {
            return OperationStatus.NeedMoreData;
        }

        if (head[0] == '0')
        {
            error = new FramingError(FramingErrorCode.LengthLeadingZero);
            return OperationStatus.InvalidData;
        }

        long value = 0;
        int pos = 0;
        while (pos < head.Length && (uint)(head[pos] - '0') <= 9)
        {
            if (pos == MaxDigits)
            {
                error = new FramingError(FramingErrorCode.LengthTooLarge);
                return OperationStatus.InvalidData;
            }

            value = (value * 10) + (head[pos] - '0');
            pos++;
        }

        if (value > int.MaxValue)
        {
            error = new FramingError(FramingErrorCode.LengthTooLarge, value);
            return OperationStatus.InvalidData;
        }

        if (pos == head.Length)
        {
            return OperationStatus.NeedMoreData;
        }

        if (head[pos] != ' ' || pos == 0)
        {
            error = new FramingError(FramingErrorCode.SpaceExpected, head[pos]);
            return OperationStatus.InvalidData;
        }

        length = (int)value;
        prefixLength = pos + 1;
        return OperationStatus.Done;
    }
}
