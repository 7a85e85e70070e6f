using System.Buffers;
using System.Buffers.Text;
using System.Text;
using Forwarder.Metadata;
using Forwarder.Parsing;
using Shared.Syslog;

namespace Forwarder.Enrichment;

/// <summary>
/// Writes log entries as RFC 5424 messages:
/// <c>&lt;PRI&gt;1 TIMESTAMP HOSTNAME APP-NAME - MSGID [k8s@32473 namespace=… pod=… container=… container_id=…
/// pod_uid=…] MSG</c>, MSGID being the stream. One per tailed file: everything but the time, the markers and MSG is
/// encoded once, so a message is a few copies into one span of the output.
/// </summary>
public sealed class SyslogEncoder
{
    /// <summary>The marker element with all four params and 19-digit numbers.</summary>
    private const int MaxMarkerLength = 128;

    // Per LogStream: "<PRI>1 " and " HOSTNAME APP-NAME - MSGID ".
    private readonly byte[][] _prefixes = new byte[3][];
    private readonly byte[][] _middles = new byte[3][];

    // The pod element, or empty without a pod.
    private readonly byte[] _structuredData;

    /// <summary><paramref name="appName"/>: the container, or the file's base name for plain files.</summary>
    public SyslogEncoder(SyslogEncoderOptions options, PodIdentity? pod, string appName)
        : this(options, pod, appName, null)
    {
    }

    /// <summary>
    /// With the pod's metadata from the API server (<c>workload</c> and <c>l.KEY</c> params in the pod element).
    /// </summary>
    internal SyslogEncoder(SyslogEncoderOptions options, PodIdentity? pod, string appName, PodMetadata? metadata)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(appName);
        byte[] hostName = HeaderField.Encode(options.HostName, Rfc5424Writer.MaxHostNameLength);
        byte[] app = HeaderField.Encode(appName, Rfc5424Writer.MaxAppNameLength);
        Fill(LogStream.Stdout, new SyslogPriority(options.Facility, options.StdoutSeverity), "stdout"u8);
        Fill(LogStream.Stderr, new SyslogPriority(options.Facility, options.StderrSeverity), "stderr"u8);
        Fill(LogStream.Unknown, new SyslogPriority(options.Facility, options.StdoutSeverity), "-"u8);
        _structuredData = pod is null ? [] : PodElement(HeaderField.EncodeSdName(options.StructuredDataId), pod, metadata);

        void Fill(LogStream stream, SyslogPriority priority, ReadOnlySpan<byte> msgId)
        {
            _prefixes[(int)stream] = Encoding.ASCII.GetBytes($"<{priority.Value}>1 ");
            _middles[(int)stream] = [(byte)' ', .. hostName, (byte)' ', .. app, .. " - "u8, .. msgId, (byte)' '];
        }
    }

    private static ReadOnlySpan<byte> MarkerId => "[kube-syslog@32473"u8;

    /// <summary>
    /// Appends one unframed message. <paramref name="readTime"/> (RFC 3339, when the line was read) stands in for an
    /// entry without a valid time; empty, it gives NILVALUE.
    /// </summary>
    public void Encode(in LogEntry entry, ReadOnlySpan<byte> readTime, IBufferWriter<byte> output) =>
        Encode(entry, readTime, null, output);

    /// <summary>
    /// As above, with the origin element (<see cref="SourceOrigin"/>) last in STRUCTURED-DATA when
    /// <paramref name="origin"/> is set.
    /// </summary>
    public void Encode(in LogEntry entry, ReadOnlySpan<byte> readTime, in EntryOrigin? origin, IBufferWriter<byte> output)
    {
        int stream = Math.Min((int)entry.Stream, (int)LogStream.Unknown);
        var prefix = _prefixes[stream];
        var middle = _middles[stream];
        var content = entry.Content;
        bool marked = entry.Truncated || entry.Partial || entry.Malformed || entry.SkippedLines > 0;
        int timeRoom = Math.Max(Math.Max(entry.Timestamp.Length, readTime.Length), 1);
        int originRoom = origin?.Source.MaxLength ?? 0;
        int size = prefix.Length + timeRoom + middle.Length + _structuredData.Length + MaxMarkerLength + originRoom + 1 + content.Length;
        var span = output.GetSpan(size);

        prefix.CopyTo(span);
        int pos = prefix.Length;
        pos += WriteTime(entry.Timestamp, readTime, span[pos..]);
        middle.CopyTo(span[pos..]);
        pos += middle.Length;
        if (_structuredData.Length == 0 && !marked && origin is null)
        {
            span[pos++] = (byte)'-';
        }
        else
        {
            _structuredData.CopyTo(span[pos..]);
            pos += _structuredData.Length;
            if (marked)
            {
                pos += WriteMarker(entry, span[pos..]);
            }

            if (origin is { } o)
            {
                pos += o.Source.Write(o.From, o.To, o.WithPath, o.Lost, span[pos..]);
            }
        }

        // RFC 5424 §6: [SP MSG]. An empty MSG is left out with its SP, so no message ends in a space.
        if (!content.IsEmpty)
        {
            span[pos++] = (byte)' ';
            content.CopyTo(span[pos..]);
            pos += content.Length;
        }

        output.Advance(pos);
    }

    private static int WriteTime(ReadOnlySpan<byte> time, ReadOnlySpan<byte> readTime, Span<byte> destination)
    {
        int length = time.IsEmpty ? -1 : RuntimeTimestamp.TryWrite(time, destination);
        if (length >= 0)
        {
            return length;
        }

        if (readTime.IsEmpty)
        {
            destination[0] = (byte)'-';
            return 1;
        }

        readTime.CopyTo(destination);
        return readTime.Length;
    }

    /// <summary>
    /// <c>[kube-syslog@32473 truncated="N" partial="true" malformed="true" skipped="N"]</c>, the params that apply, as
    /// the Collector marks cut messages.
    /// </summary>
    private static int WriteMarker(in LogEntry entry, Span<byte> destination)
    {
        MarkerId.CopyTo(destination);
        int pos = MarkerId.Length;
        if (entry.Truncated)
        {
            pos += Copy(" truncated=\""u8, destination[pos..]);
            Utf8Formatter.TryFormat(entry.OriginalLength, destination[pos..], out int digits);
            pos += digits;
            destination[pos++] = (byte)'"';
        }

        if (entry.Partial)
        {
            pos += Copy(" partial=\"true\""u8, destination[pos..]);
        }

        if (entry.Malformed)
        {
            pos += Copy(" malformed=\"true\""u8, destination[pos..]);
        }

        if (entry.SkippedLines > 0)
        {
            pos += Copy(" skipped=\""u8, destination[pos..]);
            Utf8Formatter.TryFormat(entry.SkippedLines, destination[pos..], out int digits);
            pos += digits;
            destination[pos++] = (byte)'"';
        }

        destination[pos++] = (byte)']';
        return pos;
    }

    private static byte[] PodElement(byte[] id, PodIdentity pod, PodMetadata? metadata)
    {
        var element = new List<byte>(256) { (byte)'[' };
        element.AddRange(id);
        HeaderField.AppendParameter(element, "namespace", pod.Namespace);
        HeaderField.AppendParameter(element, "pod", pod.Pod);
        HeaderField.AppendParameter(element, "container", pod.Container);
        if (pod.ContainerId is not null)
        {
            HeaderField.AppendParameter(element, "container_id", pod.ContainerId);
        }

        if (pod.PodUid is not null)
        {
            HeaderField.AppendParameter(element, "pod_uid", pod.PodUid);
        }

        if (metadata is not null)
        {
            AppendMetadata(element, metadata);
        }

        element.Add((byte)']');
        return [.. element];
    }

    /// <summary>
    /// <c>workload="Kind/name"</c>, then <c>l.KEY="value"</c> per allowlisted label the pod has, then
    /// <c>n.KEY="value"</c> per allowlisted label of its namespace; a label key is at most 30 characters of SD-NAME
    /// characters (checked when the allowlists are read), so "l." or "n." + key is an SD-NAME.
    /// </summary>
    private static void AppendMetadata(List<byte> element, PodMetadata metadata)
    {
        if (metadata.Workload is { } workload)
        {
            HeaderField.AppendParameter(element, "workload", workload);
        }

        foreach (var (key, value) in metadata.Labels)
        {
            HeaderField.AppendParameter(element, "l." + key, value);
        }

        foreach (var (key, value) in metadata.NamespaceLabels)
        {
            HeaderField.AppendParameter(element, "n." + key, value);
        }
    }

    private static int Copy(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        source.CopyTo(destination);
        return source.Length;
    }
}
