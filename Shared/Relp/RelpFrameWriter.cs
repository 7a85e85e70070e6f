using System.Buffers;
using System.Buffers.Text;

namespace Shared.Relp;

/// <summary>
/// Writes RELP frames as librelp's <c>relpFrameBuildSendbuf</c> does: no SP and no data when DATALEN is 0.
/// </summary>
public static class RelpFrameWriter
{
    /// <summary>Longest <c>TXNR SP COMMAND SP DATALEN SP</c> plus the trailer.</summary>
    public const int MaxOverhead = 9 + 1 + 32 + 1 + 9 + 1 + 1;

    /// <summary>The server's hint before it closes a session (librelp's <c>relpSessSrvDoDisconnect</c>).</summary>
    public static ReadOnlySpan<byte> ServerCloseFrame => "0 serverclose 0\n"u8;

    /// <summary>The <c>rsp</c> data of an accepted command.</summary>
    public static ReadOnlySpan<byte> Ok => "200 OK"u8;

    public static void Write(IBufferWriter<byte> output, int txnr, ReadOnlySpan<byte> command, ReadOnlySpan<byte> data)
    {
        if ((uint)txnr > RelpTxnr.Max)
        {
            throw new ArgumentOutOfRangeException(nameof(txnr), txnr, "A RELP txnr has at most 9 digits.");
        }

        if (data.Length > RelpTxnr.Max)
        {
            throw new ArgumentOutOfRangeException(nameof(data), data.Length, "RELP data is at most 999,999,999 bytes.");
        }

        var span = output.GetSpan(MaxOverhead + data.Length);
        int pos = WriteHeader(span, txnr, command, data.Length);
        if (!data.IsEmpty)
        {
            span[pos++] = (byte)' ';
            data.CopyTo(span[pos..]);
            pos += data.Length;
        }

        span[pos++] = (byte)'\n';
        output.Advance(pos);
    }

    /// <summary><c>TXNR rsp DATALEN 200 OK</c>: the acknowledgement of a command.</summary>
    public static void WriteOk(IBufferWriter<byte> output, int txnr) => Write(output, txnr, "rsp"u8, Ok);

    /// <summary>
    /// <c>rsp</c> with <c>CODE SP HUMANMSG [LF CMDDATA]</c>; HUMANMSG is cut at 80 bytes and an LF in it becomes SP
    /// (librelp's <c>readRspHdr</c> reads at most 80 bytes up to the first LF).
    /// </summary>
    public static void WriteResponse(IBufferWriter<byte> output, int txnr, int code, ReadOnlySpan<byte> message, ReadOnlySpan<byte> body = default)
    {
        if (code is < 100 or > 999)
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "A RELP response code has three digits.");
        }

        message = message[..Math.Min(message.Length, RelpResponse.MaxMessageLength)];
        int length = 3 + 1 + message.Length + (body.IsEmpty ? 0 : 1 + body.Length);
        byte[]? rented = null;
        Span<byte> data = length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(length));
        Utf8Formatter.TryFormat(code, data, out _);
        data[3] = (byte)' ';
        message.CopyTo(data[4..]);
        data.Slice(4, message.Length).Replace((byte)'\n', (byte)' ');
        if (!body.IsEmpty)
        {
            data[4 + message.Length] = (byte)'\n';
            body.CopyTo(data[(5 + message.Length)..]);
        }

        Write(output, txnr, "rsp"u8, data[..length]);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static int WriteHeader(Span<byte> span, int txnr, ReadOnlySpan<byte> command, int dataLength)
    {
        if (command.IsEmpty || command.Length > 32)
        {
            throw new ArgumentException("A RELP command has 1-32 letters.", nameof(command));
        }

        Utf8Formatter.TryFormat(txnr, span, out int pos);
        span[pos++] = (byte)' ';
        command.CopyTo(span[pos..]);
        pos += command.Length;
        span[pos++] = (byte)' ';
        Utf8Formatter.TryFormat(dataLength, span[pos..], out int digits);
        return pos + digits;
    }
}
