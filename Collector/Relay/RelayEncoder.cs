using System.Buffers;
using System.Text;
using Collector.Relay.Configuration;
using Collector.Storage;
using Shared.Syslog;

namespace Collector.Relay;

/// <summary>
/// What a relay sends for one received frame. RFC 5424 relays get an RFC 5424 frame as received, byte for byte (the
/// original header and structured data, so the Kubernetes identity survives); an RFC 3164 frame is rewritten as RFC
/// 5424 from its parsed header; an unparsable frame travels as the MSG of a message from the peer, marked
/// <c>[kube-syslog@32473 unparsed="…"]</c>, as it is stored. RFC 3164 relays get
/// <c>&lt;PRI&gt;Mmm dd hh:mm:ss HOST TAG: MSG</c> where TAG is <c>namespace/pod/container</c> for a container's line
/// (APP-NAME otherwise) plus <c>[PROCID]</c>, never cut to 32 characters the way rsyslog's legacy forward template did.
/// </summary>
public static class RelayEncoder
{
    /// <summary>
    /// The bytes to relay; either <paramref name="frame"/> itself or what was written to <paramref name="scratch"/>.
    /// </summary>
    public static ReadOnlySpan<byte> Encode(
        RelayFormat format,
        ReadOnlySpan<byte> frame,
        scoped in SyslogHeader header,
        scoped in SyslogParseError error,
        scoped in FrameContext context,
        ArrayBufferWriter<byte> scratch)
    {
        if (format == RelayFormat.Rfc5424 && !error.IsError && header.Format == SyslogFormat.Rfc5424)
        {
            return frame;
        }

        scratch.ResetWrittenCount();
        if (error.IsError)
        {
            WriteUnparsed(scratch, format, frame, error, context);
        }
        else if (format == RelayFormat.Rfc5424)
        {
            Write5424(scratch, frame, header, context);
        }
        else
        {
            Write3164(scratch, frame, header, context);
        }

        return scratch.WrittenSpan;
    }

    private static void Write5424(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> frame, in SyslogHeader h, in FrameContext context)
    {
        var writer = new Rfc5424Writer(output);
        var timestamp = h.Timestamp.HasValue ? h.Timestamp : new SyslogTimestamp(context.ReceivedAt);
        var host = h.HostName.IsEmpty ? context.Peer.Span : h.HostName.Slice(frame);
        writer.WriteHeader(h.Priority, timestamp, host, h.AppName.Slice(frame), h.ProcId.Slice(frame), h.MsgId.Slice(frame));
        writer.WriteStructuredData(h.StructuredData.Slice(frame));
        if (h.Message.IsEmpty)
        {
            writer.Complete();
        }
        else
        {
            writer.WriteMessage(h.Message.Slice(frame), h.HasBom);
        }
    }

    private static void Write3164(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> frame, in SyslogHeader h, in FrameContext context)
    {
        var time = h.Timestamp.HasValue ? h.Timestamp.Value : context.ReceivedAt;
        var host = h.HostName.IsEmpty ? context.Peer.Span : h.HostName.Slice(frame);
        var message = h.Message.Slice(frame);
        var span = output.GetSpan(64 + host.Length + frame.Length + message.Length);
        int n = WritePriority(span, h.Priority);
        n += BsdTimestamp.Write(span[n..], time);
        span[n++] = (byte)' ';
        n += Copy(span[n..], host);
        span[n++] = (byte)' ';
        n += WriteTag(span[n..], frame, h);
        span[n++] = (byte)':';
        if (!message.IsEmpty)
        {
            span[n++] = (byte)' ';
            n += Copy(span[n..], message);
        }

        output.Advance(n);
    }

    private static void WriteUnparsed(
        ArrayBufferWriter<byte> output,
        RelayFormat format,
        ReadOnlySpan<byte> frame,
        in SyslogParseError error,
        in FrameContext context)
    {
        string reason = $"{error.Code} at {error.Position}";
        var span = output.GetSpan(128 + Rfc3339.MaxLength + context.Peer.Length + reason.Length + frame.Length);
        int n = WritePriority(span, SyslogPriority.Default);
        if (format == RelayFormat.Rfc5424)
        {
            n += Copy(span[n..], "1 "u8);
            n += Rfc3339.Write(span[n..], new SyslogTimestamp(context.ReceivedAt));
            span[n++] = (byte)' ';
            n += Copy(span[n..], context.Peer.Span);
            n += Copy(span[n..], " - - - [kube-syslog@32473 unparsed=\""u8);
            n += Encoding.ASCII.GetBytes(reason, span[n..]);
            n += Copy(span[n..], "\"] "u8);
        }
        else
        {
            n += BsdTimestamp.Write(span[n..], context.ReceivedAt);
            span[n++] = (byte)' ';
            n += Copy(span[n..], context.Peer.Span);
            n += Copy(span[n..], " kube-syslog-unparsed: "u8);
        }

        n += Copy(span[n..], frame);
        output.Advance(n);
    }

    /// <summary>
    /// <c>namespace/pod/container</c> from the SD params of those names (any element), else APP-NAME or <c>-</c>; then
    /// <c>[PROCID]</c>.
    /// </summary>
    private static int WriteTag(Span<byte> d, ReadOnlySpan<byte> frame, in SyslogHeader h)
    {
        ReadOnlySpan<byte> ns = default, pod = default, container = default;
        if (!h.StructuredData.IsEmpty)
        {
            var reader = new StructuredDataReader(h.StructuredData.Slice(frame));
            while (reader.ReadElement(out _))
            {
                while (reader.ReadParameter(out var name, out var value))
                {
                    if (name.SequenceEqual("namespace"u8) && ns.IsEmpty)
                    {
                        ns = value;
                    }
                    else if (name.SequenceEqual("pod"u8) && pod.IsEmpty)
                    {
                        pod = value;
                    }
                    else if (name.SequenceEqual("container"u8) && container.IsEmpty)
                    {
                        container = value;
                    }
                }
            }
        }

        int n;
        if (!ns.IsEmpty && !pod.IsEmpty)
        {
            n = Copy(d, ns);
            d[n++] = (byte)'/';
            n += Copy(d[n..], pod);
            d[n++] = (byte)'/';
            n += Copy(d[n..], container.IsEmpty ? h.AppName.Slice(frame) : container);
        }
        else
        {
            n = h.AppName.IsEmpty ? Copy(d, "-"u8) : Copy(d, h.AppName.Slice(frame));
        }

        if (!h.ProcId.IsEmpty)
        {
            d[n++] = (byte)'[';
            n += Copy(d[n..], h.ProcId.Slice(frame));
            d[n++] = (byte)']';
        }

        return n;
    }

    private static int WritePriority(Span<byte> d, SyslogPriority priority)
    {
        d[0] = (byte)'<';
        System.Buffers.Text.Utf8Formatter.TryFormat(priority.Value, d[1..], out int digits);
        d[1 + digits] = (byte)'>';
        return digits + 2;
    }

    private static int Copy(Span<byte> d, ReadOnlySpan<byte> s)
    {
        s.CopyTo(d);
        return s.Length;
    }
}
