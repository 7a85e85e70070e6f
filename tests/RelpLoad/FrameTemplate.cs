using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace RelpLoad;

/// <summary>
/// One session's <c>syslog</c> frame, encoded once: for each message only the transaction number (in front) and the
/// nine sequence digits (in the body) are written over, so sending allocates and formats nothing. The header is
/// right-aligned against the data, so a txnr with more digits starts earlier in the buffer.
/// </summary>
internal sealed class FrameTemplate
{
    // The longest txnr (9 digits, RELP's limit) and its SP.
    private const int TxnrRoom = 10;

    private readonly byte[] _buffer;
    private readonly int _commandStart;
    private readonly int _seqAt;

    public FrameTemplate(int session, int size)
    {
        byte[] data = Message(session, 0, size);
        byte[] command = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"syslog {data.Length} "));
        _commandStart = TxnrRoom;
        _buffer = new byte[TxnrRoom + command.Length + data.Length + 1];
        command.CopyTo(_buffer, _commandStart);
        int dataStart = _commandStart + command.Length;
        data.CopyTo(_buffer, dataStart);
        _buffer[^1] = (byte)'\n';
        _seqAt = dataStart + data.AsSpan().IndexOf("seq="u8) + 4;
    }

    /// <summary>
    /// The message body's mark: the check finds the session and the sequence number in the stored line by it.
    /// </summary>
    public static string Mark(int session, int seq) =>
        string.Create(CultureInfo.InvariantCulture, $"relpload session={session:D5} seq={seq:D9} ");

    public static byte[] Message(int session, int seq, int size)
    {
        // A fixed timestamp: the Collector does the same work for every message, run after run.
        string head = string.Create(CultureInfo.InvariantCulture, $"<134>1 2026-12-06T00:00:00.000001Z loadgen relpload {session} - - ");
        string body = Mark(session, seq);
        return Encoding.ASCII.GetBytes(head + body.PadRight(Math.Max(body.Length, size - head.Length), 'x'));
    }

    /// <summary>
    /// The frame for message <paramref name="seq"/> as command <paramref name="txnr"/>; valid until the next call.
    /// </summary>
    public ReadOnlySpan<byte> Frame(int txnr, int seq)
    {
        var digits = _buffer.AsSpan(_seqAt, 9);
        for (int i = 8; i >= 0; i--, seq /= 10)
        {
            digits[i] = (byte)('0' + (seq % 10));
        }

        Span<byte> number = stackalloc byte[TxnrRoom];
        Utf8Formatter.TryFormat(txnr, number, out int written);
        number[written++] = (byte)' ';
        int start = _commandStart - written;
        number[..written].CopyTo(_buffer.AsSpan(start));
        return _buffer.AsSpan(start);
    }
}
