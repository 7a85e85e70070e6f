using System.Buffers;
using System.Text;

namespace Shared.Syslog;

/// <summary>PARAM-VALUE escaping, RFC 5424 §6.3.3: '"', '\' and ']' are written as '\"', '\\', '\]'.</summary>
public static class StructuredDataValue
{
    private static readonly SearchValues<byte> MustEscape = SearchValues.Create("\"\\]"u8);

    /// <summary>
    /// Unescapes into <paramref name="destination"/> (at least as long as the input) and returns the length.
    /// §6.3.3: a backslash before any other byte is kept as a literal backslash.
    /// </summary>
    public static int Unescape(ReadOnlySpan<byte> escaped, Span<byte> destination)
    {
        int written = 0;
        for (int i = 0; i < escaped.Length; i++)
        {
            byte b = escaped[i];
            if (b == '\\' && i + 1 < escaped.Length && escaped[i + 1] is (byte)'"' or (byte)'\\' or (byte)']')
            {
                b = escaped[++i];
            }

            destination[written++] = b;
        }

        return written;
    }

    public static string ToString(ReadOnlySpan<byte> escaped)
    {
        if (escaped.IndexOf((byte)'\\') < 0)
        {
            return Encoding.UTF8.GetString(escaped);
        }

        byte[] rented = ArrayPool<byte>.Shared.Rent(escaped.Length);
        try
        {
            int length = Unescape(escaped, rented);
            return Encoding.UTF8.GetString(rented, 0, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Compares an escaped value with plain UTF-8 text without allocating.</summary>
    public static bool EqualsUnescaped(ReadOnlySpan<byte> escaped, ReadOnlySpan<byte> plain)
    {
        if (escaped.IndexOf((byte)'\\') < 0)
        {
            return escaped.SequenceEqual(plain);
        }

        int j = 0;
        for (int i = 0; i < escaped.Length; i++, j++)
        {
            byte b = escaped[i];
            if (b == '\\' && i + 1 < escaped.Length && escaped[i + 1] is (byte)'"' or (byte)'\\' or (byte)']')
            {
                b = escaped[++i];
            }

            if (j >= plain.Length || plain[j] != b)
            {
                return false;
            }
        }

        return j == plain.Length;
    }

    /// <summary>
    /// Writes <paramref name="plain"/> UTF-8 with the three §6.3.3 characters escaped; returns the length.
    /// </summary>
    public static int Escape(ReadOnlySpan<byte> plain, Span<byte> destination)
    {
        int written = 0;
        while (!plain.IsEmpty)
        {
            int i = plain.IndexOfAny(MustEscape);
            int run = i < 0 ? plain.Length : i;
            plain[..run].CopyTo(destination[written..]);
            written += run;
            if (i < 0)
            {
                break;
            }

            destination[written++] = (byte)'\\';
            destination[written++] = plain[i];
            plain = plain[(i + 1)..];
        }

        return written;
    }

    /// <summary>Longest escaped form of <paramref name="plainLength"/> bytes.</summary>
    public static int MaxEscapedLength(int plainLength) => plainLength * 2;

    internal static SearchValues<byte> EscapedBytes => MustEscape;

    /// <summary>1 at '"' (34), '\' (92) and ']' (93) among the 128 ASCII characters.</summary>
    internal static ReadOnlySpan<byte> EscapedAsciiTable =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];
}
