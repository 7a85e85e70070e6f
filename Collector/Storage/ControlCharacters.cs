using System.Buffers;

namespace Collector.Storage;

/// <summary>
/// rsyslog's control character escaping (<c>$EscapeControlCharactersOnReceive</c>, on by default): each byte below
/// 0x20 and DEL becomes <c>#</c> and three octal digits, so LF is <c>#012</c> and one line is always one message.
/// Bytes from 0x80 up (UTF-8) are kept.
/// </summary>
public static class ControlCharacters
{
    /// <summary>Each escaped byte grows to four.</summary>
    public const int MaxExpansion = 4;

    private static readonly SearchValues<byte> Controls = SearchValues.Create(
    [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 127,
    ]);

    private static readonly SearchValues<byte> ControlsAndHash = SearchValues.Create(
    [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 127,
        (byte)'#',
    ]);

    /// <summary>
    /// Copies <paramref name="source"/> escaped; <paramref name="destination"/> needs 4 × its length in the worst case.
    /// </summary>
    public static int WriteEscaped(Span<byte> destination, ReadOnlySpan<byte> source)
    {
        int written = 0;
        while (true)
        {
            int next = source.IndexOfAny(Controls);
            if (next < 0)
            {
                source.CopyTo(destination[written..]);
                return written + source.Length;
            }

            source[..next].CopyTo(destination[written..]);
            written += next;
            written += WriteEscape(destination[written..], source[next]);
            source = source[(next + 1)..];
        }
    }

    /// <summary>
    /// As <see cref="WriteEscaped"/>, and a <c>#</c> that is followed by what reads as an escape (<c>#012</c> typed
    /// by the application) becomes <c>#043</c>, so <see cref="Unescape"/> gives back exactly the bytes received: the
    /// escaping of message-first lines. rsyslog's own escaping cannot tell a typed <c>#012</c> from a LF.
    /// </summary>
    public static int WriteEscapedReversibly(Span<byte> destination, ReadOnlySpan<byte> source)
    {
        int written = 0;
        while (true)
        {
            int next = source.IndexOfAny(ControlsAndHash);
            if (next < 0)
            {
                source.CopyTo(destination[written..]);
                return written + source.Length;
            }

            source[..next].CopyTo(destination[written..]);
            written += next;
            byte c = source[next];
            if (c == '#' && !IsEscape(source[next..]))
            {
                destination[written++] = c;
            }
            else
            {
                written += WriteEscape(destination[written..], c);
            }

            source = source[(next + 1)..];
        }
    }

    /// <summary>
    /// Undoes every escape (<c>#</c> and three octal digits of a byte below 0x100: <c>#000</c>–<c>#377</c>) into
    /// <paramref name="destination"/>, which needs the length of <paramref name="escaped"/>; returns the bytes written.
    /// </summary>
    public static int Unescape(ReadOnlySpan<byte> escaped, Span<byte> destination)
    {
        int written = 0;
        while (true)
        {
            int next = escaped.IndexOf((byte)'#');
            if (next < 0)
            {
                escaped.CopyTo(destination[written..]);
                return written + escaped.Length;
            }

            escaped[..next].CopyTo(destination[written..]);
            written += next;
            if (IsEscape(escaped[next..]))
            {
                destination[written++] = (byte)(((escaped[next + 1] - '0') << 6) | ((escaped[next + 2] - '0') << 3) | (escaped[next + 3] - '0'));
                escaped = escaped[(next + 4)..];
            }
            else
            {
                destination[written++] = (byte)'#';
                escaped = escaped[(next + 1)..];
            }
        }
    }

    /// <summary>Whether <paramref name="text"/> starts with <c>#</c> and three octal digits of at most 377.</summary>
    private static bool IsEscape(ReadOnlySpan<byte> text) =>
        text.Length >= 4 && text[1] is >= (byte)'0' and <= (byte)'3' && text[2] is >= (byte)'0' and <= (byte)'7'
        && text[3] is >= (byte)'0' and <= (byte)'7';

    private static int WriteEscape(Span<byte> destination, byte c)
    {
        var escape = destination[..4];
        escape[0] = (byte)'#';
        escape[1] = (byte)('0' + (c >> 6));
        escape[2] = (byte)('0' + ((c >> 3) & 7));
        escape[3] = (byte)('0' + (c & 7));
        return 4;
    }
}
