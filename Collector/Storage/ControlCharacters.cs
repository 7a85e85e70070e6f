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
            byte c = source[next];
            var escape = destination.Slice(written, 4);
            escape[0] = (byte)'#';
            escape[1] = (byte)('0' + (c >> 6));
            escape[2] = (byte)('0' + ((c >> 3) & 7));
            escape[3] = (byte)('0' + (c & 7));
            written += 4;
            source = source[(next + 1)..];
        }
    }
}
