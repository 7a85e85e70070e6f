using System.Buffers;

namespace Shared.Framing;

/// <summary>
/// RFC 6587 §3.4.2 non-transparent framing: a frame ends at LF (also at NUL, which some senders use as the
/// trailer, and a CR before the LF is dropped). Blank lines carry no message and are skipped, as rsyslog does.
/// </summary>
public static class LineFramer
{
    private static readonly SearchValues<byte> Trailers = SearchValues.Create([(byte)'\n', 0]);

    /// <summary>
    /// Reads one line from the start of <paramref name="buffer"/>. On <see cref="OperationStatus.Done"/>,
    /// <paramref name="frame"/> is the line without its trailer and <paramref name="buffer"/> starts after
    /// the trailer. On
    /// <see cref="OperationStatus.NeedMoreData"/> only leading blank lines were consumed.
    /// </summary>
    public static OperationStatus TryReadFrame(
        ref ReadOnlySequence<byte> buffer, int maxFrameLength, out ReadOnlySequence<byte> frame, out FramingError error)
    {
        error = default;
        while (true)
        {
            frame = default;
            var status = FindTrailer(buffer, out long trailerAt);
            if (status == OperationStatus.NeedMoreData)
            {
                // Valid even with a CR LF trailer still to come? Then wait; otherwise the frame is already too long.
                if (buffer.Length > maxFrameLength + 1L)
                {
                    error = new FramingError(FramingErrorCode.FrameTooLarge, -1, maxFrameLength);
                    return OperationStatus.InvalidData;
                }

                return OperationStatus.NeedMoreData;
            }

            long length = trailerAt;
            if (length > 0 && buffer.Slice(length - 1, 1).FirstSpan[0] == '\r')
            {
                length--;
            }

            if (length == 0)
            {
                buffer = buffer.Slice(trailerAt + 1);
                continue;
            }

            if (length > maxFrameLength)
            {
                error = new FramingError(FramingErrorCode.FrameTooLarge, length, maxFrameLength);
                return OperationStatus.InvalidData;
            }

            frame = buffer.Slice(0, length);
            buffer = buffer.Slice(trailerAt + 1);
            return OperationStatus.Done;
        }
    }

    /// <summary>Offset of the first LF or NUL, searching one segment at a time with a vectorised scan.</summary>
    internal static OperationStatus FindTrailer(in ReadOnlySequence<byte> buffer, out long offset)
    {
        if (buffer.IsSingleSegment)
        {
            offset = buffer.FirstSpan.IndexOfAny(Trailers);
            return offset < 0 ? OperationStatus.NeedMoreData : OperationStatus.Done;
        }

        offset = 0;
        foreach (var segment in buffer)
        {
            int i = segment.Span.IndexOfAny(Trailers);
            if (i >= 0)
            {
                offset += i;
                return OperationStatus.Done;
            }

            offset += segment.Length;
        }

        offset = -1;
        return OperationStatus.NeedMoreData;
    }
}
