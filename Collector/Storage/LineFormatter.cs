using System.Buffers.Text;
using System.Text;
using Shared.Syslog;

namespace Collector.Storage;

/// <summary>
/// Turns one received frame into one line of the messages file (see <see cref="LineFormat"/>). Everything the sender
/// chose to send goes through <see cref="ControlCharacters"/>, so a line never contains a line break. A truncated or
/// unparsable message says so in an SD element of our own, <c>[kube-syslog@32473 truncated="…" unparsed="…"]</c>, as
/// does one whose HOSTNAME is not its client certificate's node (<c>spoofed="true" peer="…"</c>)
/// (32473 is the example enterprise number of RFC 5612), and an unparsable one is stored raw: nothing received is
/// thrown away.
/// </summary>
public sealed partial class LineFormatter(LineFormat format)
{
    /// <summary>
    /// Room for everything on a line that is not the escaped frame: timestamp, peer name, marker element, and the
    /// pod identity a message-first line repeats in front (<see cref="MaxIdentityPart"/> bytes a part at most).
    /// </summary>
    private const int Overhead = 1024 + (3 * MaxIdentityPart);

    private static readonly byte[][] PriorityNames = BuildPriorityNames();

    public LineFormat Format => format;

    /// <summary>Bytes a line may need at most for a frame of <paramref name="frameLength"/> bytes.</summary>
    public static int MaxLineLength(int frameLength, int peerLength) =>
        (ControlCharacters.MaxExpansion * frameLength) + peerLength + Overhead;

    /// <summary>
    /// Writes the line (with its LF) for a parsed frame, or for an unparsable one when <paramref name="error"/> is set.
    /// </summary>
    public int Write(Span<byte> destination, ReadOnlySpan<byte> frame, in SyslogHeader header, in SyslogParseError error, in FrameContext context)
    {
        int n = format switch
        {
            LineFormat.Rfc5424 => ControlCharacters.WriteEscaped(destination, frame),
            _ when error.IsError => WriteUnparsed(destination, frame, error, context, format),
            LineFormat.Traditional => WriteTraditional(destination, frame, header, context),
            _ => WriteFile(destination, frame, header, context),
        };
        destination[n] = (byte)'\n';
        return n + 1;
    }

    private static int WriteFile(Span<byte> d, ReadOnlySpan<byte> frame, in SyslogHeader h, in FrameContext context)
    {
        int n = WriteTimestamp(d, h.Timestamp, context);
        d[n++] = (byte)' ';
        n += WriteHost(d[n..], frame, h, context);
        d[n++] = (byte)' ';
        if (KubernetesIdentity.TryRead(h.StructuredData.Slice(frame), out var identity))
        {
            return n + WriteMessageFirst(d[n..], frame, h, context, identity);
        }

        n += WriteFileMetadata(d[n..], frame, h, context);
        return n + WriteMessage(d[n..], h.Message.Slice(frame));
    }

    /// <summary>
    /// <c>TAG FACILITY.SEVERITY MSGID STRUCTURED-DATA</c> (the truncation marker after the SD): what the <c>file</c>
    /// format keeps between HOSTNAME and MSG, and what a message-first line keeps after its TAB.
    /// </summary>
    private static int WriteFileMetadata(Span<byte> d, ReadOnlySpan<byte> frame, in SyslogHeader h, in FrameContext context)
    {
        int n = WriteTag(d, frame, h);
        d[n++] = (byte)' ';
        var priority = PriorityNames[h.Priority.Value];
        priority.CopyTo(d[n..]);
        n += priority.Length;
        d[n++] = (byte)' ';
        n += WriteOrNil(d[n..], h.MsgId.Slice(frame));
        d[n++] = (byte)' ';
        bool hasSd = !h.StructuredData.IsEmpty;
        if (hasSd)
        {
            n += ControlCharacters.WriteEscaped(d[n..], h.StructuredData.Slice(frame));
        }

        if (context.HasMarker)
        {
            n += WriteMarker(d[n..], context, null);
        }
        else if (!hasSd)
        {
            d[n++] = (byte)'-';
        }

        return n;
    }

    private static int WriteTraditional(Span<byte> d, ReadOnlySpan<byte> frame, in SyslogHeader h, in FrameContext context)
    {
        var time = h.Timestamp.HasValue ? h.Timestamp.Value : context.ReceivedAt;
        int n = BsdTimestamp.Write(d, time);
        d[n++] = (byte)' ';
        n += WriteHost(d[n..], frame, h, context);
        d[n++] = (byte)' ';
        n += WriteTag(d[n..], frame, h);
        if (context.HasMarker)
        {
            d[n++] = (byte)' ';
            n += WriteMarker(d[n..], context, null);
        }

        return n + WriteMessage(d[n..], h.Message.Slice(frame));
    }

    /// <summary>
    /// Receipt time, the peer, no tag (nor priority and MSGID in the file format), the marker, then the raw frame
    /// escaped.
    /// </summary>
    private static int WriteUnparsed(Span<byte> d, ReadOnlySpan<byte> frame, in SyslogParseError error, in FrameContext context, LineFormat format)
    {
        // Same shape as the format's other lines, so tools that read the traditional date prefix read these too.
        bool traditional = format == LineFormat.Traditional;
        int n = traditional ? BsdTimestamp.Write(d, context.ReceivedAt) : WriteTimestamp(d, default, context);
        d[n++] = (byte)' ';
        context.Peer.Span.CopyTo(d[n..]);
        n += context.Peer.Length;
        n += Copy(d[n..], traditional ? " -: "u8 : " -: - - "u8);
        n += WriteMarker(d[n..], context, $"{error.Code} at {error.Position}");
        return n + WriteMessage(d[n..], frame);
    }

    private static int WriteMarker(Span<byte> d, in FrameContext context, string? unparsed)
    {
        int n = Copy(d, "[kube-syslog@32473"u8);
        if (context.Truncated)
        {
            n += Copy(d[n..], " truncated=\""u8);
            if (context.OriginalLength >= 0)
            {
                Utf8Formatter.TryFormat(context.OriginalLength, d[n..], out int digits);
                n += digits;
            }
            else
            {
                n += Copy(d[n..], "unknown"u8);
            }

            d[n++] = (byte)'"';
        }

        if (!context.SpoofedBy.IsEmpty)
        {
            // The HOSTNAME is not the certificate's node: say so, and who sent it (docs/security.md).
            n += Copy(d[n..], " spoofed=\"true\" peer=\""u8);
            n += Copy(d[n..], context.SpoofedBy.Span);
            d[n++] = (byte)'"';
        }

        if (unparsed is not null)
        {
            n += Copy(d[n..], " unparsed=\""u8);
            n += Encoding.ASCII.GetBytes(unparsed, d[n..]);
            d[n++] = (byte)'"';
        }

        d[n++] = (byte)']';
        return n;
    }

    private static int WriteTimestamp(Span<byte> d, SyslogTimestamp timestamp, in FrameContext context) =>
        Rfc3339.Write(d, timestamp.HasValue ? timestamp : new SyslogTimestamp(context.ReceivedAt));

    private static int WriteHost(Span<byte> d, ReadOnlySpan<byte> frame, in SyslogHeader h, in FrameContext context) =>
        h.HostName.IsEmpty ? Copy(d, context.Peer.Span) : Copy(d, h.HostName.Slice(frame));

    /// <summary>rsyslog's syslogtag: <c>APP[PROCID]:</c>, <c>APP:</c>, or <c>-:</c> without an APP-NAME.</summary>
    private static int WriteTag(Span<byte> d, ReadOnlySpan<byte> frame, in SyslogHeader h)
    {
        int n = WriteOrNil(d, h.AppName.Slice(frame));
        if (!h.ProcId.IsEmpty)
        {
            d[n++] = (byte)'[';
            n += Copy(d[n..], h.ProcId.Slice(frame));
            d[n++] = (byte)']';
        }

        d[n++] = (byte)':';
        return n;
    }

    private static int WriteMessage(Span<byte> d, ReadOnlySpan<byte> message)
    {
        if (message.IsEmpty)
        {
            return 0;
        }

        d[0] = (byte)' ';
        return 1 + ControlCharacters.WriteEscaped(d[1..], message);
    }

    private static int WriteOrNil(Span<byte> d, ReadOnlySpan<byte> field)
    {
        if (field.IsEmpty)
        {
            d[0] = (byte)'-';
            return 1;
        }

        return Copy(d, field);
    }

    private static int Copy(Span<byte> d, ReadOnlySpan<byte> s)
    {
        s.CopyTo(d);
        return s.Length;
    }

    /// <summary>rsyslog's facility and severity names: <c>local0.info</c>, <c>kern.emerg</c>, …</summary>
    private static byte[][] BuildPriorityNames()
    {
        string[] facilities =
        [
            "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp",
            "ntp", "audit", "alert", "clock", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
        ];
        string[] severities = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"];
        var names = new byte[SyslogPriority.MaxValue + 1][];
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = Encoding.ASCII.GetBytes($"{facilities[i >> 3]}.{severities[i & 7]}");
        }

        return names;
    }
}
