using System.Buffers;
using Collector.Storage;
using Shared.Syslog;

namespace Collector.Sources;

/// <summary>
/// Finds the origin element in one line of the messages file: in the STRUCTURED-DATA field of the <c>file</c> format
/// (<c>TIMESTAMP HOST TAG PRIORITY MSGID SD MSG</c>) or of an <c>rfc5424</c> line, never in MSG, where any sender may
/// write anything. The <c>traditional</c> format keeps no STRUCTURED-DATA, so it has no origins.
/// </summary>
public static class StoredOrigin
{
    private static ReadOnlySpan<byte> ElementStart => "[o@32473 "u8;

    /// <summary>
    /// The line's STRUCTURED-DATA and HOSTNAME and APP-NAME when it has an origin element in it; false otherwise.
    /// </summary>
    public static bool TryFind(
        ReadOnlySpan<byte> line,
        LineFormat format,
        out ReadOnlySpan<byte> structuredData,
        out ReadOnlySpan<byte> host,
        out ReadOnlySpan<byte> app)
    {
        structuredData = host = app = default;
        if (line.IndexOf(ElementStart) < 0)
        {
            return false;
        }

        if (format == LineFormat.Rfc5424)
        {
            if (Rfc5424Parser.TryParse(line, out var header, out _) != OperationStatus.Done)
            {
                return false;
            }

            structuredData = header.StructuredData.Slice(line);
            host = header.HostName.Slice(line);
            app = header.AppName.Slice(line);
            return !structuredData.IsEmpty;
        }

        if (format != LineFormat.File)
        {
            return false;
        }

        int p = 0;
        _ = Token(line, ref p); // TIMESTAMP
        host = Token(line, ref p);
        var tag = Token(line, ref p);
        int end = tag.IndexOfAny((byte)'[', (byte)':');
        app = end >= 0 ? tag[..end] : tag;
        _ = Token(line, ref p); // FACILITY.SEVERITY
        _ = Token(line, ref p); // MSGID
        if (p >= line.Length || line[p] != '[')
        {
            return false;
        }

        structuredData = line[p..StructuredDataEnd(line, p)];
        return true;
    }

    private static ReadOnlySpan<byte> Token(ReadOnlySpan<byte> line, scoped ref int p)
    {
        if (p >= line.Length)
        {
            return default;
        }

        int start = p;
        int space = line[p..].IndexOf((byte)' ');
        p = space < 0 ? line.Length : p + space + 1;
        return line[start..(space < 0 ? line.Length : start + space)];
    }

    /// <summary>
    /// The end of the SD elements starting at <paramref name="p"/> ('['): quotes and backslash escapes respected.
    /// </summary>
    private static int StructuredDataEnd(ReadOnlySpan<byte> line, int p)
    {
        while (p < line.Length && line[p] == '[')
        {
            bool quoted = false;
            int i = p + 1;
            while (i < line.Length)
            {
                // Jump to the next byte that matters: a vectorised search instead of a byte loop.
                int next = line[i..].IndexOfAny(Origin.StructuredDataStops);
                if (next < 0)
                {
                    i = line.Length;
                    break;
                }

                i += next;
                byte b = line[i];
                if (b == '\\' && quoted)
                {
                    i += 2;
                    continue;
                }

                if (b == '"')
                {
                    quoted = !quoted;
                }
                else if (b == ']' && !quoted)
                {
                    break;
                }

                i++;
            }

            p = Math.Min(i + 1, line.Length);
        }

        return p;
    }
}
