using System.Buffers;
using Shared.Syslog;

namespace Collector.Storage;

/// <summary>
/// The reader of what <see cref="LineFormatter"/> writes: the fields of one line of the messages file in the
/// <c>file</c> format, as byte ranges of the line. Two layouts, told apart per line by the TAB only the second has
/// (everything the sender sent is escaped, so no other TAB can be on a line):
/// <c>TIMESTAMP HOST APP[PROCID]: FACILITY.SEVERITY MSGID SD MSG</c> (every line before message-first lines, and
/// today's lines without a Kubernetes identity) and
/// <c>TIMESTAMP HOST NAMESPACE/POD/CONTAINER STREAM: MSG&lt;TAB&gt;APP[PROCID]: FACILITY.SEVERITY MSGID SD</c>.
/// Namespace, pod, container and workload are read from SD params of those names (in any element), in both, and the
/// pod labels from <c>l.KEY</c> params (<see cref="PodLabelReader"/>). A line of another shape has time 0 (the epoch)
/// and empty labels.
/// </summary>
public readonly ref struct StoredLine
{
    /// <summary>Bytes that end a quoted run or the element while scanning STRUCTURED-DATA.</summary>
    private static readonly SearchValues<byte> StructuredDataStops = SearchValues.Create("\"\\]"u8);

    private readonly ReadOnlySpan<byte> _host;
    private readonly ReadOnlySpan<byte> _app;
    private readonly ReadOnlySpan<byte> _severity;
    private readonly ReadOnlySpan<byte> _namespace;
    private readonly ReadOnlySpan<byte> _pod;
    private readonly ReadOnlySpan<byte> _container;

    private StoredLine(long time, ReadOnlySpan<byte> host, ReadOnlySpan<byte> rest)
    {
        TimeNs = time;
        _host = host;
        Message = rest;
    }

    private StoredLine(
        long time,
        ReadOnlySpan<byte> host,
        ReadOnlySpan<byte> app,
        ReadOnlySpan<byte> severity,
        scoped in KubernetesIdentity identity,
        ReadOnlySpan<byte> structuredData,
        ReadOnlySpan<byte> message,
        bool messageFirst)
    {
        TimeNs = time;
        _host = host;
        _app = app;
        _severity = severity;
        _namespace = identity.Namespace;
        _pod = identity.Pod;
        _container = identity.Container;
        StructuredData = structuredData;
        Message = message;
        MessageFirst = messageFirst;
    }

    /// <summary>Unix time in nanoseconds; 0 when the line does not start with an RFC 3339 timestamp.</summary>
    public long TimeNs { get; }

    /// <summary>
    /// MSG as stored (control characters escaped); what follows HOSTNAME on a line without a tag; empty on a line
    /// without a timestamp.
    /// </summary>
    public ReadOnlySpan<byte> Message { get; }

    /// <summary>The SD elements as stored (the truncation marker included); empty when nil.</summary>
    public ReadOnlySpan<byte> StructuredData { get; }

    /// <summary>
    /// The line is message-first: its MSG was escaped reversibly (<see cref="ControlCharacters.Unescape"/> gives back
    /// the bytes received).
    /// </summary>
    public bool MessageFirst { get; }

    public static StoredLine Parse(ReadOnlySpan<byte> line)
    {
        if (Rfc3339.TryParse(line, out var timestamp, out int p) != SyslogParseErrorCode.None || p >= line.Length || line[p] != ' ')
        {
            return default;
        }

        long time = (timestamp.Value.UtcTicks - DateTimeOffset.UnixEpoch.Ticks) * 100;
        var host = Token(line, ref p);
        int tab = line.LastIndexOf((byte)'\t');
        bool messageFirst = tab > p;
        ReadOnlySpan<byte> message = default;
        if (messageFirst)
        {
            // NAMESPACE/POD/CONTAINER STREAM: then MSG after one space, up to the TAB.
            var front = line[..tab];
            _ = Token(front, ref p);
            _ = Token(front, ref p);
            message = front[Math.Min(p, front.Length)..];
            line = line[(tab + 1)..];
            p = 0;
        }

        int tagStart = p;
        var tag = Token(line, ref p);
        if (tag.Length == 0 || tag[^1] != ':')
        {
            return new StoredLine(time, host, messageFirst ? message : line[tagStart..]);
        }

        int end = tag.IndexOfAny((byte)'[', (byte)':');
        var app = tag[..end];
        if (app is [(byte)'-'])
        {
            app = default;
        }

        var priority = Token(line, ref p);
        int dot = priority.IndexOf((byte)'.');
        var severity = dot >= 0 ? priority[(dot + 1)..] : default;
        _ = Token(line, ref p); // MSGID
        ReadOnlySpan<byte> sd = default;
        KubernetesIdentity identity = default;
        if (p < line.Length && line[p] == '[')
        {
            int sdEnd = StructuredDataEnd(line, p);
            sd = line[p..sdEnd];
            KubernetesIdentity.TryRead(sd, out identity);
            p = sdEnd < line.Length && line[sdEnd] == ' ' ? sdEnd + 1 : sdEnd;
        }
        else if (p < line.Length && line[p] == '-')
        {
            p = Math.Min(p + 2, line.Length);
        }

        if (!messageFirst)
        {
            message = line[Math.Min(p, line.Length)..];
        }

        return new StoredLine(time, host, app, severity, identity, sd, message, messageFirst);
    }

    /// <summary>
    /// A label's value, unescaped (RFC 5424 §6.3.3) into <paramref name="scratch"/> when it needs to be; a value longer
    /// than the scratch space is unescaped into <paramref name="rented"/>, which the caller returns to the pool.
    /// </summary>
    public ReadOnlySpan<byte> Label(LogLabel label, Span<byte> scratch, out byte[]? rented)
    {
        var raw = Raw(label);
        if (label is LogLabel.Host or LogLabel.App or LogLabel.Severity)
        {
            rented = null;
            return raw;
        }

        return Unescaped(raw, scratch, out rented);
    }

    /// <summary>
    /// The value of the first pod label named <paramref name="name"/> (<see cref="PodLabelName"/>), unescaped as
    /// <see cref="Label"/> does; empty when the line has none.
    /// </summary>
    public ReadOnlySpan<byte> PodLabel(ReadOnlySpan<byte> name, Span<byte> scratch, out byte[]? rented)
    {
        var reader = new PodLabelReader(StructuredData);
        Span<byte> found = stackalloc byte[PodLabelName.MaxLength];
        while (reader.Read(found, out int length, out var value))
        {
            if (found[..length].SequenceEqual(name))
            {
                return Unescaped(value, scratch, out rented);
            }
        }

        rented = null;
        return default;
    }

    /// <summary>The value as stored on the line (SD values still escaped).</summary>
    public ReadOnlySpan<byte> Raw(LogLabel label) => label switch
    {
        LogLabel.Namespace => _namespace,
        LogLabel.Pod => _pod,
        LogLabel.Container => _container,
        LogLabel.Host => _host,
        LogLabel.App => _app,
        LogLabel.Severity => _severity,

        // Read when asked, not by Parse: most searches never look at it.
        LogLabel.Workload => FirstParameter(StructuredData, "workload"u8),
        _ => default,
    };

    public string LabelString(LogLabel label)
    {
        var raw = Raw(label);
        return raw.IsEmpty ? string.Empty
            : label is LogLabel.Host or LogLabel.App or LogLabel.Severity ? System.Text.Encoding.UTF8.GetString(raw)
            : StructuredDataValue.ToString(raw);
    }

    /// <summary>
    /// Every label's value as a string: the fixed ones indexed by <see cref="LogLabel"/> (empty when missing), then the
    /// name and value of each pod label with a value, sorted by name (<see cref="LogLabels.Pairs"/> reads both): the
    /// labels of a search or tail entry, and with equal arrays for equal label sets.
    /// </summary>
    public string[] LabelStrings()
    {
        List<KeyValuePair<string, string>>? pod = null;
        var reader = new PodLabelReader(StructuredData);
        Span<byte> name = stackalloc byte[PodLabelName.MaxLength];
        while (reader.Read(name, out int length, out var value))
        {
            string key = System.Text.Encoding.ASCII.GetString(name[..length]);
            if (pod is null || !pod.Exists(p => p.Key == key))
            {
                (pod ??= []).Add(new(key, value.IsEmpty ? string.Empty : StructuredDataValue.ToString(value)));
            }
        }

        // An empty value is no label (as in Loki), though it hid a later param of its name like any first one.
        pod?.RemoveAll(p => p.Value.Length == 0);
        pod?.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        var labels = new string[LogLabels.Count + (2 * (pod?.Count ?? 0))];
        for (int i = 0; i < LogLabels.Count; i++)
        {
            labels[i] = LabelString((LogLabel)i);
        }

        for (int i = 0; i < (pod?.Count ?? 0); i++)
        {
            labels[LogLabels.Count + (2 * i)] = pod![i].Key;
            labels[LogLabels.Count + (2 * i) + 1] = pod[i].Value;
        }

        return labels;
    }

    private static ReadOnlySpan<byte> Unescaped(ReadOnlySpan<byte> raw, Span<byte> scratch, out byte[]? rented)
    {
        rented = null;
        if (raw.IndexOf((byte)'\\') < 0)
        {
            return raw;
        }

        if (raw.Length > scratch.Length)
        {
            rented = ArrayPool<byte>.Shared.Rent(raw.Length);
            scratch = rented;
        }

        int n = StructuredDataValue.Unescape(raw, scratch);
        return scratch[..n];
    }

    /// <summary>The value of the first param named <paramref name="name"/>, in any element (as the identity).</summary>
    private static ReadOnlySpan<byte> FirstParameter(ReadOnlySpan<byte> structuredData, ReadOnlySpan<byte> name)
    {
        var sd = new StructuredDataReader(structuredData);
        while (sd.ReadElement(out _))
        {
            while (sd.ReadParameter(out var param, out var value))
            {
                if (param.SequenceEqual(name))
                {
                    return value;
                }
            }
        }

        return default;
    }

    private static ReadOnlySpan<byte> Token(ReadOnlySpan<byte> line, scoped ref int p)
    {
        if (p >= line.Length)
        {
            return default;
        }

        if (line[p] == ' ')
        {
            p++;
        }

        int start = p;
        int space = line[p..].IndexOf((byte)' ');
        p = space < 0 ? line.Length : p + space;
        var token = line[start..p];
        if (p < line.Length)
        {
            p++;
        }

        return token;
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
                int next = line[i..].IndexOfAny(StructuredDataStops);
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
