using System.Buffers;
using System.Buffers.Text;

namespace Shared.Framing;

/// <summary>Writes framed messages for a TCP stream (RFC 6587).</summary>
public static class FrameWriter
{
    /// <summary>Longest <c>MSG-LEN SP</c> prefix: ten digits of a positive int and the space.</summary>
    public const int MaxPrefixLength = 11;

    /// <summary>
    /// What an embedded LF becomes under LF framing, where it would end the frame early: rsyslog's
    /// control-character escape, the same text a receiver shows for an LF it escaped itself.
    /// </summary>
    public static ReadOnlySpan<byte> EscapedLineFeed => "#012"u8;

    public static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> message, SyslogFraming framing)
    {
        if (framing == SyslogFraming.OctetCounting)
        {
            WriteOctetCounted(output, message);
        }
        else
        {
            WriteLine(output, message);
        }
    }

    /// <summary>RFC 6587 §3.4.1: <c>MSG-LEN SP SYSLOG-MSG</c>, MSG-LEN the byte count of the message.</summary>
    public static void WriteOctetCounted(IBufferWriter<byte> output, ReadOnlySpan<byte> message)
    {
        if (message.IsEmpty)
        {
            throw new ArgumentException("A syslog message cannot be empty (MSG-LEN starts with a nonzero digit).", nameof(message));
        }

        var span = output.GetSpan(MaxPrefixLength + message.Length);
        Utf8Formatter.TryFormat(message.Length, span, out int digits);
        span[digits] = (byte)' ';
        message.CopyTo(span[(digits + 1)..]);
        output.Advance(digits + 1 + message.Length);
    }

    /// <summary>RFC 6587 §3.4.2: the message and LF. An LF inside the message is written as <c>#012</c>.</summary>
    public static void WriteLine(IBufferWriter<byte> output, ReadOnlySpan<byte> message)
    {
        while (true)
        {
            int lf = message.IndexOf((byte)'\n');
            if (lf < 0)
            {
                break;
            }

            output.Write(message[..lf]);
            output.Write(EscapedLineFeed);
            message = message[(lf + 1)..];
        }

        var span = output.GetSpan(message.Length + 1);
        message.CopyTo(span);
        span[message.Length] = (byte)'\n';
        output.Advance(message.Length + 1);
    }
}
