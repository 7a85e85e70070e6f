using System.Text;

namespace Forwarder.Parsing;

/// <summary>Decodes the body of a JSON string (RFC 8259 §7) from bytes to UTF-8 without allocating.</summary>
internal static class JsonString
{
    /// <summary>
    /// Unescapes <paramref name="escaped"/> (the bytes between the quotes) into
    /// <paramref name="destination"/>, which needs
    /// <paramref name="escaped"/>'s length at most: every escape is at least as long as what it stands for.
    /// Returns the length written, or -1 for an escape JSON does not have. A lone surrogate becomes U+FFFD, as Go's
    /// encoding/json (which wrote docker's line) decodes it.
    /// </summary>
    public static int Unescape(ReadOnlySpan<byte> escaped, Span<byte> destination)
    {
        int written = 0;
        while (true)
        {
            int i = escaped.IndexOf((byte)'\\');
            if (i < 0)
            {
                escaped.CopyTo(destination[written..]);
                return written + escaped.Length;
            }

            escaped[..i].CopyTo(destination[written..]);
            written += i;
            if (i + 1 >= escaped.Length)
            {
                return -1;
            }

            int consumed = 2;
            switch (escaped[i + 1])
            {
                case (byte)'"':
                case (byte)'\\':
                case (byte)'/':
                    destination[written++] = escaped[i + 1];
                    break;
                case (byte)'b':
                    destination[written++] = (byte)'\b';
                    break;
                case (byte)'f':
                    destination[written++] = (byte)'\f';
                    break;
                case (byte)'n':
                    destination[written++] = (byte)'\n';
                    break;
                case (byte)'r':
                    destination[written++] = (byte)'\r';
                    break;
                case (byte)'t':
                    destination[written++] = (byte)'\t';
                    break;
                case (byte)'u':
                    consumed = DecodeUnicode(escaped[i..], out int scalar);
                    if (consumed < 0)
                    {
                        return -1;
                    }

                    written += new Rune(scalar).EncodeToUtf8(destination[written..]);
                    break;
                default:
                    return -1;
            }

            escaped = escaped[(i + consumed)..];
        }
    }

    /// <summary>
    /// Reads <c>\uXXXX</c> (and a following <c>\uXXXX</c> low surrogate) at the start of <paramref name="text"/>;
    /// returns the bytes read or -1.
    /// </summary>
    private static int DecodeUnicode(ReadOnlySpan<byte> text, out int scalar)
    {
        scalar = 0;
        if (!TryHex4(text, 2, out int unit))
        {
            return -1;
        }

        if (unit is >= 0xD800 and <= 0xDBFF)
        {
            if (text.Length >= 12 && text[6] == '\\' && text[7] == 'u' && TryHex4(text, 8, out int low) && low is >= 0xDC00 and <= 0xDFFF)
            {
                scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                return 12;
            }

            scalar = 0xFFFD;
            return 6;
        }

        scalar = unit is >= 0xDC00 and <= 0xDFFF ? 0xFFFD : unit;
        return 6;
    }

    private static bool TryHex4(ReadOnlySpan<byte> text, int at, out int value)
    {
        value = 0;
        if (text.Length < at + 4)
        {
            return false;
        }

        for (int i = at; i < at + 4; i++)
        {
            int digit = HexValue(text[i]);
            if (digit < 0)
            {
                return false;
            }

            value = (value << 4) | digit;
        }

        return true;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}
