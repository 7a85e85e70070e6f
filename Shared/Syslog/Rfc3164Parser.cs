using System.Buffers;

namespace Shared.Syslog;

/// <summary>
/// Legacy BSD syslog (RFC 3164) parser, lenient the way rsyslog's pmrfc3164 is: every non-empty frame is a message.
/// <list type="bullet">
/// <item>PRI: a valid <c>&lt;PRI&gt;</c> is used; a missing or invalid one gives user.notice (RFC 3164 §4.3.3) and the
/// content starts at byte 0, so an invalid <c>&lt;…</c> stays part of it.</item>
/// <item>TIMESTAMP: RFC 3339 (rsyslog accepts it) or <c>Mmm dd hh:mm:ss</c> (see <see cref="BsdTimestamp"/>, which
/// infers the year and takes the offset from <c>now</c>), followed by SP or the end. A BSD timestamp after one stray SP
/// is accepted (rsyslog's HP ProCurve quirk). Without a timestamp it is NILVALUE and no HOSTNAME is looked for
/// (RFC 3164 §4.3.2).</item>
/// <item>HOSTNAME: the next token if it has only letters, digits, <c>.-_:</c>, does not end in <c>:</c> and is followed
/// by SP; otherwise absent and the token is the TAG.</item>
/// <item>TAG: APP-NAME is the PRINTUSASCII run up to <c>[</c>, <c>:</c> or SP, kept whole however long (RFC 3164's
/// 32-character limit cut Kubernetes names; rsyslog lifted it too). Only <see cref="Rfc5424Writer"/> cuts it to 48
/// when re-emitting, because RFC 5424 must. <c>[pid]</c> right
/// after it is PROCID (up to 128 PRINTUSASCII bytes); a malformed <c>[…</c> stays in MSG. Then one <c>:</c> and one SP
/// are skipped, unless there was no tag at all.</item>
/// <item>MSG: the rest, any bytes (MSG-ANY; invalid UTF-8 and NUL kept), without one trailing LF.</item>
/// </list>
/// Never throws, never allocates: the header holds ranges into the frame.
/// </summary>
public static class Rfc3164Parser
{
    private const int MaxHostNameLength = 255;

    private const int MaxProcIdLength = 128;

    // RFC 952/1123 names, IPv4, and IPv6 (':'); '_' because real hosts use it (rsyslog allows it too).
    private static readonly SearchValues<byte> HostNameBytes =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:"u8);

    private static readonly SearchValues<byte> TagBytes = PrintableExcept("[:"u8);

    private static readonly SearchValues<byte> ProcIdBytes = PrintableExcept("]"u8);

    /// <summary>
    /// Parses a complete frame. Returns <see cref="OperationStatus.Done"/> for any non-empty frame and
    /// <see cref="OperationStatus.InvalidData"/> (<see cref="SyslogParseErrorCode.EmptyMessage"/> at 0) for
    /// an empty one.
    /// <paramref name="now"/> is the receiver's clock in the offset senders are assumed to use.
    /// </summary>
    public static OperationStatus TryParse(ReadOnlySpan<byte> frame, DateTimeOffset now, out SyslogHeader header, out SyslogParseError error)
    {
        header = default;
        if (frame.IsEmpty)
        {
            error = new SyslogParseError(SyslogParseErrorCode.EmptyMessage, 0);
            return OperationStatus.InvalidData;
        }

        // Line-framed senders (logger over TCP, rsyslog's templates) leave one LF at the end: it is not MSG.
        var body = frame[^1] == '\n' ? frame[..^1] : frame;

        int pos = 0;
        var priority = SyslogPriority.Default;
        if (Priority.TryRead(body, out int prival, out int priLength) == SyslogParseErrorCode.None)
        {
            priority = SyslogPriority.FromValue(prival);
            pos = priLength;
        }

        FieldRange hostName = default;
        if (TryReadTimestamp(body, ref pos, now, out var timestamp))
        {
            hostName = ReadHostName(body, ref pos);
        }

        pos = ReadTag(body, pos, out var appName, out var procId);

        header = new SyslogHeader
        {
            Format = SyslogFormat.Rfc3164,
            Priority = priority,
            Version = 0,
            Timestamp = timestamp,
            HostName = hostName,
            AppName = appName,
            ProcId = procId,
            Message = FieldRange.FromBounds(pos, body.Length),
        };
        error = SyslogParseError.None;
        return OperationStatus.Done;
    }

    /// <summary>On success moves <paramref name="pos"/> past the timestamp and the SP after it (if any).</summary>
    private static bool TryReadTimestamp(ReadOnlySpan<byte> body, ref int pos, DateTimeOffset now, out SyslogTimestamp timestamp)
    {
        int end = -1;
        if (Rfc3339.TryParse(body[pos..], out timestamp, out int consumed) == SyslogParseErrorCode.None)
        {
            end = pos + consumed;
        }
        else if ((consumed = BsdTimestamp.TryParse(body[pos..], now, out timestamp)) > 0)
        {
            end = pos + consumed;
        }
        else if (pos < body.Length && body[pos] == ' '
            && (consumed = BsdTimestamp.TryParse(body[(pos + 1)..], now, out timestamp)) > 0)
        {
            end = pos + 1 + consumed;
        }

        // "Nov 22 04:45:59.123" or "…:59:" is not a timestamp rsyslog accepts: the whole text is content.
        if (end < 0 || (end < body.Length && body[end] != ' '))
        {
            timestamp = default;
            return false;
        }

        pos = end < body.Length ? end + 1 : end;
        return true;
    }

    /// <summary>
    /// RFC 3164 §4.1.2: HOSTNAME SP. A token ending in ':' ("su:") or running to the end is the TAG instead.
    /// </summary>
    private static FieldRange ReadHostName(ReadOnlySpan<byte> body, ref int pos)
    {
        var rest = body[pos..];
        int length = rest.IndexOfAnyExcept(HostNameBytes);
        if (length <= 0 || length > MaxHostNameLength || rest[length] != ' ' || rest[length - 1] == ':')
        {
            return default;
        }

        var hostName = new FieldRange(pos, length);
        pos += length + 1;
        return hostName;
    }

    /// <summary>Reads TAG (<c>app</c>, <c>app:</c>, <c>app[pid]:</c>) and returns where MSG starts.</summary>
    private static int ReadTag(ReadOnlySpan<byte> body, int pos, out FieldRange appName, out FieldRange procId)
    {
        appName = default;
        procId = default;
        var rest = body[pos..];
        int length = rest.IndexOfAnyExcept(TagBytes);
        if (length < 0)
        {
            length = rest.Length;
        }

        int next = pos + length;
        if (length > 0)
        {
            appName = new FieldRange(pos, length);
            if (next < body.Length && body[next] == '[')
            {
                next = ReadProcId(body, next, ref procId);
            }
        }

        if (next < body.Length && body[next] == ':')
        {
            next++;
        }

        // rsyslog keeps the SP after the TAG in MSG; RFC 5424 output has SP as a separator, so drop exactly one.
        // Text that starts with SP has no tag: nothing was read, and MSG keeps its leading SP.
        if (next > pos && next < body.Length && body[next] == ' ')
        {
            next++;
        }

        return next;
    }

    /// <summary>
    /// <c>[pid]</c> at <paramref name="open"/>: returns the position after <c>]</c>, or <paramref name="open"/>
    /// if malformed.
    /// </summary>
    private static int ReadProcId(ReadOnlySpan<byte> body, int open, ref FieldRange procId)
    {
        var inner = body[(open + 1)..];
        int length = inner.IndexOfAnyExcept(ProcIdBytes);
        if (length < 0 || length > MaxProcIdLength || inner[length] != ']')
        {
            return open;
        }

        // "app[]" has an empty PROCID, which is the same as none.
        procId = length > 0 ? new FieldRange(open + 1, length) : default;
        return open + 1 + length + 1;
    }

    private static SearchValues<byte> PrintableExcept(ReadOnlySpan<byte> excluded)
    {
        // PRINTUSASCII = %d33-126 (RFC 5424 §6): the only bytes the writer lets into APP-NAME and PROCID.
        Span<byte> bytes = stackalloc byte[126 - 33 + 1];
        int count = 0;
        for (int b = 33; b <= 126; b++)
        {
            if (!excluded.Contains((byte)b))
            {
                bytes[count++] = (byte)b;
            }
        }

        return SearchValues.Create(bytes[..count]);
    }
}
