using System.Buffers;

namespace Shared.Relp;

/// <summary>
/// Splits a RELP byte stream into frames (doc/relp.md "RELP FRAME"), accepting exactly what librelp's
/// <c>relpFrameProcessOctetRcvd</c> accepts: 1-9 digit TXNR, 1-32 letter COMMAND, 1-9 digit DATALEN, and for
/// DATALEN 0 the LF right after it. A frame whose DATALEN is over the limit is returned header-only with
/// <see cref="RelpFrame.IsOversize"/>, and its data is skipped on the following calls, so the receiver can answer it
/// with <c>500</c> and keep the session (librelp's server would abort or truncate). One instance per connection.
/// </summary>
public sealed class RelpFrameReader
{
    /// <summary>librelp's <c>RELP_DFLT_MAX_DATA_SIZE</c>.</summary>
    public const int DefaultMaxDataLength = 128 * 1024;

    private const int MaxNumberDigits = 9;
    private const int MaxCommandLength = 32;

    /// <summary>TXNR SP COMMAND SP DATALEN SP: the longest header, copied out of a multi-segment buffer once.</summary>
    private const int MaxHeaderLength = MaxNumberDigits + 1 + MaxCommandLength + 1 + MaxNumberDigits + 1;

    private readonly int _maxDataLength;
    private long _skipBytes;
    private bool _trailerPending;

    public RelpFrameReader(int maxDataLength = DefaultMaxDataLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDataLength, 0);
        _maxDataLength = maxDataLength;
    }

    public int MaxDataLength => _maxDataLength;

    /// <summary>
    /// True while the data of an oversize frame is still being skipped (a partial frame at end of stream).
    /// </summary>
    public bool IsSkipping => _skipBytes > 0 || _trailerPending;

    /// <summary>
    /// Reads the next frame from <paramref name="buffer"/>, advancing it past what was consumed. On
    /// <see cref="OperationStatus.NeedMoreData"/> an incomplete frame is left unconsumed (skipped oversize data is
    /// consumed); on <see cref="OperationStatus.InvalidData"/> the stream cannot be framed any further.
    /// </summary>
    public OperationStatus TryReadFrame(ref ReadOnlySequence<byte> buffer, out RelpFrame frame, out RelpFramingError error)
    {
        frame = default;
        error = default;
        if (IsSkipping && !Skip(ref buffer, out error))
        {
            return error.IsError ? OperationStatus.InvalidData : OperationStatus.NeedMoreData;
        }

        if (buffer.IsEmpty)
        {
            return OperationStatus.NeedMoreData;
        }

        // A header split across segments is copied out once (HttpParser's rule), in a method of its own: a stackalloc
        // here would cost every frame (measured: the reader ran 5x slower with it inline).
        var status = buffer.IsSingleSegment || buffer.FirstSpan.Length >= MaxHeaderLength
            ? ParseHeader(
                buffer.FirstSpan,
                out int txnr,
                out int commandStart,
                out int commandLength,
                out var command,
                out int dataLength,
                out int headerLength,
                out error)
            : ParseSplitHeader(buffer, out txnr, out commandStart, out commandLength, out command, out dataLength, out headerLength, out error);
        if (status != OperationStatus.Done)
        {
            return status;
        }

        var name = buffer.Slice(commandStart, commandLength);
        if (dataLength == 0)
        {
            // DATALEN 0: no SP and no data, the trailer follows at once ("2 close 0\n").
            buffer = buffer.Slice(headerLength + 1);
            frame = new RelpFrame(txnr, command, name, default, 0);
            return OperationStatus.Done;
        }

        if (dataLength > _maxDataLength)
        {
            frame = new RelpFrame(txnr, command, name, default, dataLength, IsOversize: true);
            buffer = buffer.Slice(headerLength + 1);
            _skipBytes = dataLength;
            _trailerPending = true;
            return OperationStatus.Done;
        }

        long frameLength = headerLength + 1L + dataLength + 1;
        if (buffer.Length < frameLength)
        {
            return OperationStatus.NeedMoreData;
        }

        var trailer = buffer.Slice(frameLength - 1, 1).FirstSpan[0];
        if (trailer != '\n')
        {
            error = new RelpFramingError(RelpFramingErrorCode.TrailerExpected, trailer);
            return OperationStatus.InvalidData;
        }

        frame = new RelpFrame(txnr, command, name, buffer.Slice(headerLength + 1, dataLength), dataLength);
        buffer = buffer.Slice(frameLength);
        return OperationStatus.Done;
    }

    /// <summary>
    /// Parses <c>TXNR SP COMMAND SP DATALEN</c>; <paramref name="headerLength"/> is where the byte after DATALEN sits
    /// (the SP before the data, or the trailer when DATALEN is 0), which is checked here too. Bad bytes are reported as
    /// soon as they are seen, so garbage is refused before a whole header has arrived.
    /// </summary>
    private static OperationStatus ParseSplitHeader(
        in ReadOnlySequence<byte> buffer,
        out int txnr,
        out int commandStart,
        out int commandLength,
        out RelpCommand command,
        out int dataLength,
        out int headerLength,
        out RelpFramingError error)
    {
        Span<byte> scratch = stackalloc byte[MaxHeaderLength];
        int copied = (int)Math.Min(buffer.Length, MaxHeaderLength);
        buffer.Slice(0, copied).CopyTo(scratch);
        return ParseHeader(
            scratch[..copied],
            out txnr,
            out commandStart,
            out commandLength,
            out command,
            out dataLength,
            out headerLength,
            out error);
    }

    private static OperationStatus ParseHeader(
        ReadOnlySpan<byte> head,
        out int txnr,
        out int commandStart,
        out int commandLength,
        out RelpCommand command,
        out int dataLength,
        out int headerLength,
        out RelpFramingError error)
    {
        commandStart = commandLength = dataLength = headerLength = 0;
        command = RelpCommand.Other;
        int pos = 0;
        var status = ParseNumber(head, ref pos, RelpFramingErrorCode.TxnrExpected, RelpFramingErrorCode.TxnrTooLong, out txnr, out error);
        if (status != OperationStatus.Done)
        {
            return status;
        }

        commandStart = pos;
        while (pos < head.Length && IsLetter(head[pos]))
        {
            if (pos - commandStart == MaxCommandLength)
            {
                error = new RelpFramingError(RelpFramingErrorCode.CommandTooLong);
                return OperationStatus.InvalidData;
            }

            pos++;
        }

        if (pos == head.Length)
        {
            return OperationStatus.NeedMoreData;
        }

        if (head[pos] != ' ' || pos == commandStart)
        {
            error = new RelpFramingError(RelpFramingErrorCode.CommandInvalid, head[pos]);
            return OperationStatus.InvalidData;
        }

        commandLength = pos - commandStart;
        command = Classify(head.Slice(commandStart, commandLength));
        pos++;
        status = ParseNumber(
            head,
            ref pos,
            RelpFramingErrorCode.DataLengthInvalid,
            RelpFramingErrorCode.DataLengthTooLong,
            out dataLength,
            out error,
            terminatorOptional: true);
        if (status != OperationStatus.Done)
        {
            return status;
        }

        if (pos == head.Length)
        {
            return OperationStatus.NeedMoreData;
        }

        byte next = head[pos];
        if (dataLength == 0 ? next != '\n' : next != ' ')
        {
            error = dataLength == 0
                ? new RelpFramingError(RelpFramingErrorCode.TrailerExpected, next)
                : new RelpFramingError(RelpFramingErrorCode.SpaceExpected, next);
            return OperationStatus.InvalidData;
        }

        headerLength = pos;
        return OperationStatus.Done;
    }

    /// <summary>
    /// <c>NUMBER = 1*9DIGIT</c>. With <paramref name="terminatorOptional"/> (DATALEN) <paramref name="pos"/> stops on
    /// the byte after the digits; otherwise that byte must be SP and is consumed.
    /// </summary>
    private static OperationStatus ParseNumber(
        ReadOnlySpan<byte> head,
        ref int pos,
        RelpFramingErrorCode notANumber,
        RelpFramingErrorCode tooLong,
        out int value,
        out RelpFramingError error,
        bool terminatorOptional = false)
    {
        value = 0;
        error = default;
        int start = pos;
        while (pos < head.Length && (uint)(head[pos] - '0') <= 9)
        {
            if (pos - start == MaxNumberDigits)
            {
                error = new RelpFramingError(tooLong);
                return OperationStatus.InvalidData;
            }

            value = (value * 10) + (head[pos] - '0');
            pos++;
        }

        if (pos == head.Length)
        {
            return OperationStatus.NeedMoreData;
        }

        if (pos == start)
        {
            error = new RelpFramingError(notANumber, head[pos]);
            return OperationStatus.InvalidData;
        }

        if (terminatorOptional)
        {
            return OperationStatus.Done;
        }

        if (head[pos] != ' ')
        {
            error = new RelpFramingError(RelpFramingErrorCode.SpaceExpected, head[pos]);
            return OperationStatus.InvalidData;
        }

        pos++;
        return OperationStatus.Done;
    }

    /// <summary>
    /// Consumes what is left of an oversize frame's data and its trailer; true when all of it is gone.
    /// </summary>
    private bool Skip(ref ReadOnlySequence<byte> buffer, out RelpFramingError error)
    {
        error = default;
        long skipped = Math.Min(_skipBytes, buffer.Length);
        buffer = buffer.Slice(skipped);
        _skipBytes -= skipped;
        if (_skipBytes > 0 || buffer.IsEmpty)
        {
            return false;
        }

        byte trailer = buffer.FirstSpan[0];
        if (trailer != '\n')
        {
            error = new RelpFramingError(RelpFramingErrorCode.TrailerExpected, trailer);
            return false;
        }

        buffer = buffer.Slice(1);
        _trailerPending = false;
        return true;
    }

    private static bool IsLetter(byte b) => (uint)((b | 0x20) - 'a') <= 'z' - 'a';

    private static RelpCommand Classify(ReadOnlySpan<byte> name) => name switch
    {
        _ when name.SequenceEqual("syslog"u8) => RelpCommand.Syslog,
        _ when name.SequenceEqual("rsp"u8) => RelpCommand.Rsp,
        _ when name.SequenceEqual("open"u8) => RelpCommand.Open,
        _ when name.SequenceEqual("close"u8) => RelpCommand.Close,
        _ when name.SequenceEqual("serverclose"u8) => RelpCommand.ServerClose,
        _ when name.SequenceEqual("starttls"u8) => RelpCommand.StartTls,
        _ => RelpCommand.Other,
    };
}
