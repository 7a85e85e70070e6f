using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Collector.Search;

/// <summary>
/// The argument of LogQL's <c>ip("…")</c> (Loki's pkg/logql/log/ip.go): one address, a CIDR prefix
/// (<c>192.168.0.0/16</c>; host bits may be set, as Go's netip.ParsePrefix allows) or a range
/// (<c>10.0.0.1-10.0.0.255</c>, no spaces, from ≤ to), IPv4 or IPv6. An IPv4 address never matches an IPv6 pattern
/// and the other way round. <see cref="MatchesIn(ReadOnlySpan{byte})"/> is Loki's scan: every text in the input that
/// looks like an address is parsed and tested, and any match is enough.
/// </summary>
public sealed class IpMatcher
{
    private static readonly SearchValues<byte> V4Chars = SearchValues.Create("0123456789."u8);
    private static readonly SearchValues<byte> V6Chars = SearchValues.Create("0123456789abcdefABCDEF:."u8);

    private readonly bool _v6;
    private readonly UInt128 _first;
    private readonly UInt128 _last;

    private IpMatcher(string pattern, bool v6, UInt128 first, UInt128 last)
    {
        Pattern = pattern;
        _v6 = v6;
        _first = first;
        _last = last;
    }

    public string Pattern { get; }

    /// <summary>The matcher, or null with <paramref name="error"/> naming the pattern (Loki's wording).</summary>
    public static IpMatcher? Create(string pattern, out string? error)
    {
        error = null;
        if (TryParseAddress(Encoding.UTF8.GetBytes(pattern), out bool v6, out var address))
        {
            return new IpMatcher(pattern, v6, address, address);
        }

        int slash = pattern.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && TryParseAddress(Encoding.UTF8.GetBytes(pattern[..slash]), out v6, out address)
            && IsPrefixLength(pattern.AsSpan(slash + 1), v6 ? 128 : 32, out int bits))
        {
            int width = v6 ? 128 : 32;
            UInt128 hostMask = bits == width ? UInt128.Zero : (UInt128.One << (width - bits)) - 1;
            return new IpMatcher(pattern, v6, address & ~hostMask, address | hostMask);
        }

        int dash = pattern.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0
            && TryParseAddress(Encoding.UTF8.GetBytes(pattern[..dash]), out v6, out var from)
            && TryParseAddress(Encoding.UTF8.GetBytes(pattern[(dash + 1)..]), out bool toV6, out var to)
            && v6 == toV6 && from <= to)
        {
            return new IpMatcher(pattern, v6, from, to);
        }

        error = $"ip: invalid pattern: \"{pattern}\" (an address, a CIDR such as 10.0.0.0/8, or a range such as " +
            "10.0.0.1-10.0.0.255; IPv4 or IPv6)";
        return null;
    }

    /// <summary>Whether the text holds an address the pattern matches (Loki's ipFilter.filter).</summary>
    public bool MatchesIn(ReadOnlySpan<byte> text)
    {
        int n = text.Length;
        for (int i = 0; i < n; i++)
        {
            SearchValues<byte>? charset = V4Hint(text, i) ? V4Chars : V6Hint(text, i) ? V6Chars : null;
            if (charset is null)
            {
                continue;
            }

            int length = text[i..].IndexOfAnyExcept(charset);
            if (length < 0)
            {
                length = n - i;
            }

            if (TryParseAddress(text.Slice(i, length), out bool v6, out var address) && Contains(v6, address))
            {
                return true;
            }

            // Loki skips the candidate's characters (the loop adds the last one).
            i += length;
        }

        return false;
    }

    public bool MatchesIn(string text)
    {
        byte[] utf8 = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            return MatchesIn(utf8.AsSpan(0, Encoding.UTF8.GetBytes(text, utf8)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(utf8);
        }
    }

    private bool Contains(bool v6, UInt128 address) => v6 == _v6 && address >= _first && address <= _last;

    private static bool V4Hint(ReadOnlySpan<byte> s, int i) =>
        i + 3 < s.Length && char.IsAsciiDigit((char)s[i]) && (s[i + 1] == '.' || s[i + 2] == '.' || s[i + 3] == '.');

    private static bool V6Hint(ReadOnlySpan<byte> s, int i)
    {
        Span<byte> p = stackalloc byte[5];
        for (int k = 0; k < 5; k++)
        {
            p[k] = i + k < s.Length ? s[i + k] : (byte)0;
        }

        static bool Hex(byte b) => char.IsAsciiHexDigit((char)b);
        return (p[0] == ':' && p[1] == ':' && Hex(p[2]))
            || (Hex(p[0]) && p[1] == ':')
            || (Hex(p[0]) && Hex(p[1]) && p[2] == ':')
            || (Hex(p[0]) && Hex(p[1]) && Hex(p[2]) && p[3] == ':')
            || (Hex(p[0]) && Hex(p[1]) && Hex(p[2]) && Hex(p[3]) && p[4] == ':');
    }

    /// <summary>
    /// Go's netip.ParseAddr without zones: IPv4 as four decimal fields without leading zeros (stricter than
    /// IPAddress.TryParse, which takes "10.1" and octal); IPv6 (with an embedded IPv4 tail) by the BCL.
    /// </summary>
    private static bool TryParseAddress(ReadOnlySpan<byte> text, out bool v6, out UInt128 address)
    {
        address = UInt128.Zero;
        v6 = text.IndexOf((byte)':') >= 0;
        if (!v6)
        {
            return TryParseV4(text, out address);
        }

        if (text.IndexOfAnyExcept(V6Chars) >= 0 || text.Length > 45)
        {
            return false;
        }

        Span<char> chars = stackalloc char[text.Length];
        for (int k = 0; k < text.Length; k++)
        {
            chars[k] = (char)text[k];
        }

        if (!IPAddress.TryParse(chars, out var ip) || ip.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[16];
        ip.TryWriteBytes(bytes, out _);
        address = new UInt128(
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));
        return true;
    }

    private static bool TryParseV4(ReadOnlySpan<byte> text, out UInt128 address)
    {
        address = UInt128.Zero;
        uint value = 0;
        int fields = 0;
        int i = 0;
        while (fields < 4)
        {
            int start = i;
            int field = 0;
            while (i < text.Length && char.IsAsciiDigit((char)text[i]) && i - start < 3)
            {
                field = (field * 10) + (text[i] - '0');
                i++;
            }

            int digits = i - start;
            if (digits == 0 || field > 255 || (digits > 1 && text[start] == '0'))
            {
                return false;
            }

            value = (value << 8) | (uint)field;
            fields++;
            if (fields < 4)
            {
                if (i >= text.Length || text[i] != '.')
                {
                    return false;
                }

                i++;
            }
        }

        address = value;
        return i == text.Length;
    }

    private static bool IsPrefixLength(ReadOnlySpan<char> text, int max, out int bits)
    {
        bits = 0;
        if (text.Length is 0 or > 3 || (text.Length > 1 && text[0] == '0'))
        {
            return false;
        }

        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            bits = (bits * 10) + (c - '0');
        }

        return bits <= max;
    }
}
