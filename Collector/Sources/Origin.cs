using System.Buffers.Text;
using Shared.Syslog;

namespace Collector.Sources;

/// <summary>
/// A message's origin, from its <c>[o@32473 s="ID" p="FROM-TO"]</c> element (docs/sources.md): the source (16 hex
/// digits) and the bytes of that source the message accounts for, FROM inclusive to TO exclusive.
/// </summary>
public readonly record struct Origin(ulong Source, long From, long To)
{
    /// <summary>Positions beyond 2^53 do not survive JSON readers that use doubles; no file is that long.</summary>
    public const long MaxPosition = 1L << 53;

    private static ReadOnlySpan<byte> ElementStart => "[o@32473"u8;

    private static ReadOnlySpan<byte> ElementId => "o@32473"u8;

    /// <summary>
    /// Reads the origin element of a validated STRUCTURED-DATA section. False without one; false with
    /// <paramref name="malformed"/> set when the element is there but its <c>s</c> or <c>p</c> is not as written by a
    /// Forwarder (the message is then stored as any other, its origin ignored). <paramref name="path"/>: the escaped
    /// <c>f</c> value, when present.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> structuredData, out Origin origin, out ReadOnlySpan<byte> path, out bool malformed)
    {
        origin = default;
        path = default;
        malformed = false;

        // Most senders have no such element: one vectorised search, no walk.
        int last = structuredData.LastIndexOf(ElementStart);
        if (last < 0)
        {
            return false;
        }

        // The Forwarder writes it last: read just that, strictly, when it is there and well-formed; anything else
        // takes the walk through every element below.
        if (TryReadElement(structuredData[last..], out origin, out path))
        {
            return true;
        }

        var sd = new StructuredDataReader(structuredData);
        while (sd.ReadElement(out var id))
        {
            if (!id.SequenceEqual(ElementId))
            {
                continue;
            }

            ReadOnlySpan<byte> source = default, position = default;
            while (sd.ReadParameter(out var name, out var value))
            {
                if (name.SequenceEqual("s"u8) && source.IsEmpty)
                {
                    source = value;
                }
                else if (name.SequenceEqual("p"u8) && position.IsEmpty)
                {
                    position = value;
                }
                else if (name.SequenceEqual("f"u8) && path.IsEmpty)
                {
                    path = value;
                }
            }

            if (TryParseId(source, out ulong sourceId) && TryParseRange(position, out long from, out long to))
            {
                origin = new Origin(sourceId, from, to);
                return true;
            }

            malformed = true;
            path = default;
            return false;
        }

        return false;
    }

    /// <summary>
    /// <paramref name="element"/> is exactly one <c>[o@32473 (SP NAME="VALUE")*]</c>, checked byte by byte, with a
    /// valid <c>s</c> and <c>p</c>. Text inside another element's value can never pass: there every '"' is escaped.
    /// </summary>
    private static bool TryReadElement(ReadOnlySpan<byte> element, out Origin origin, out ReadOnlySpan<byte> path)
    {
        origin = default;
        path = default;
        ReadOnlySpan<byte> source = default, position = default;
        int pos = ElementStart.Length;
        while (pos < element.Length && element[pos] == ' ')
        {
            int equals = element[(pos + 1)..].IndexOf((byte)'=');
            if (equals <= 0 || pos + equals + 2 >= element.Length || element[pos + equals + 2] != '"')
            {
                return false;
            }

            var name = element.Slice(pos + 1, equals);
            int start = pos + equals + 3;
            int end = ValueEnd(element, start);
            if (end < 0)
            {
                return false;
            }

            var value = element[start..end];
            if (name.SequenceEqual("s"u8) && source.IsEmpty)
            {
                source = value;
            }
            else if (name.SequenceEqual("p"u8) && position.IsEmpty)
            {
                position = value;
            }
            else if (name.SequenceEqual("f"u8) && path.IsEmpty)
            {
                path = value;
            }

            pos = end + 1;
        }

        if (pos != element.Length - 1 || element[pos] != ']'
            || !TryParseId(source, out ulong id) || !TryParseRange(position, out long from, out long to))
        {
            path = default;
            return false;
        }

        origin = new Origin(id, from, to);
        return true;
    }

    /// <summary>
    /// The closing '"' of a PARAM-VALUE starting at <paramref name="start"/> (RFC 5424 §6.3.3 escapes skipped), or -1.
    /// </summary>
    private static int ValueEnd(ReadOnlySpan<byte> text, int start)
    {
        int i = start;
        while (i < text.Length)
        {
            int next = text[i..].IndexOfAny((byte)'"', (byte)'\\');
            if (next < 0)
            {
                return -1;
            }

            i += next;
            if (text[i] == '"')
            {
                return i;
            }

            i += 2;
        }

        return -1;
    }

    /// <summary>
    /// The <c>lost="ID@FROM"</c> parameter of the origin element (docs/sources.md): the Forwarder found the file of
    /// source ID deleted before it had read it past FROM, and says so on the next file's first message. False without
    /// one, or when it is not as a Forwarder writes it.
    /// </summary>
    public static bool TryReadLost(ReadOnlySpan<byte> structuredData, out ulong source, out long from)
    {
        source = 0;
        from = 0;

        // On one message per deleted file: the common line pays one vectorised search.
        if (structuredData.IndexOf(" lost=\""u8) < 0)
        {
            return false;
        }

        var sd = new StructuredDataReader(structuredData);
        while (sd.ReadElement(out var id))
        {
            if (!id.SequenceEqual(ElementId))
            {
                continue;
            }

            while (sd.ReadParameter(out var name, out var value))
            {
                if (name.SequenceEqual("lost"u8))
                {
                    int at = value.IndexOf((byte)'@');
                    return at == 16 && TryParseId(value[..at], out source) && TryParsePosition(value[(at + 1)..], out from);
                }
            }

            return false;
        }

        return false;
    }

    /// <summary>Exactly 16 lowercase hex digits.</summary>
    public static bool TryParseId(ReadOnlySpan<byte> text, out ulong id)
    {
        id = 0;
        if (text.Length != 16)
        {
            return false;
        }

        foreach (byte b in text)
        {
            int digit = b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
                _ => -1,
            };
            if (digit < 0)
            {
                return false;
            }

            id = (id << 4) | (uint)digit;
        }

        return true;
    }

    public static string FormatId(ulong id) => id.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// <c>FROM-TO</c>: plain decimal numbers (no sign, no leading zeros beyond "0"), FROM ≤ TO ≤
    /// <see cref="MaxPosition"/>.
    /// </summary>
    private static bool TryParseRange(ReadOnlySpan<byte> text, out long from, out long to)
    {
        from = to = 0;
        int dash = text.IndexOf((byte)'-');
        return dash > 0
            && TryParsePosition(text[..dash], out from)
            && TryParsePosition(text[(dash + 1)..], out to)
            && from <= to;
    }

    private static bool TryParsePosition(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        return text.Length is > 0 and <= 16
            && (text[0] != '0' || text.Length == 1)
            && Utf8Parser.TryParse(text, out value, out int consumed)
            && consumed == text.Length
            && value is >= 0 and <= MaxPosition;
    }
}
