using System.Buffers;
using Shared.Syslog;

namespace Collector.Storage;

/// <summary>
/// The reader of what <see cref="LineFormatter"/> writes: the fields of one line of the messages file in the
/// <c>file</c> format, as byte ranges of the line:
/// <c>TIMESTAMP HOST APP[PROCID]: FACILITY.SEVERITY MSGID SD MSG</c>, with namespace, pod and container read from SD
/// params of those names (in any element). A line of another shape has time 0 (the epoch) and empty labels.
/// </summary>
public readonly ref struct StoredLine
{
    private readonly ReadOnlySpan<byte> _host;
    private readonly ReadOnlySpan<byte> _app;
    private readonly ReadOnlySpan<byte> _severity;
    private readonly ReadOnlySpan<byte> _namespace;
    private readonly ReadOnlySpan<byte> _pod;
    private readonly ReadOnlySpan<byte> _container;

    private StoredLine(
        long time,
        ReadOnlySpan<byte> host,
        ReadOnlySpan<byte> app,
        ReadOnlySpan<byte> severity,
        ReadOnlySpan<byte> ns,
        ReadOnlySpan<byte> pod,
        ReadOnlySpan<byte> container)
    {
        TimeNs = time;
        _host = host;
        _app = app;
        _severity = severity;
        _namespace = ns;
        _pod = pod;
        _container = container;
    }

    /// <summary>Unix time in nanoseconds; 0 when the line does not start with an RFC 3339 timestamp.</summary>
    public long TimeNs { get; }

    public static StoredLine Parse(ReadOnlySpan<byte> line)
    {
        if (Rfc3339.TryParse(line, out var timestamp, out int p) != SyslogParseErrorCode.None || p >= line.Length || line[p] != ' ')
        {
            return default;
        }

        long time = (timestamp.Value.UtcTicks - DateTimeOffset.UnixEpoch.Ticks) * 100;
        var host = Token(line, ref p);
        var tag = Token(line, ref p);
        if (tag.Length == 0 || tag[^1] != ':')
        {
            return new StoredLine(time, host, default, default, default, default, default);
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
        ReadOnlySpan<byte> ns = default, pod = default, container = default;
        if (p < line.Length && line[p] == '[')
        {
            var sd = new StructuredDataReader(line[p..StructuredDataEnd(line, p)]);
            while (sd.ReadElement(out _))
            {
                while (sd.ReadParameter(out var name, out var value))
                {
                    if (name.SequenceEqual("namespace"u8))
                    {
                        ns = ns.IsEmpty ? value : ns;
                    }
                    else if (name.SequenceEqual("pod"u8))
                    {
                        pod = pod.IsEmpty ? value : pod;
                    }
                    else if (name.SequenceEqual("container"u8))
                    {
                        container = container.IsEmpty ? value : container;
                    }
                }
            }
        }

        return new StoredLine(time, host, app, severity, ns, pod, container);
    }

    /// <summary>
    /// A label's value, unescaped (RFC 5424 §6.3.3) into <paramref name="scratch"/> when it needs to be; a value longer
    /// than the scratch space is unescaped into <paramref name="rented"/>, which the caller returns to the pool.
    /// </summary>
    public ReadOnlySpan<byte> Label(LogLabel label, Span<byte> scratch, out byte[]? rented)
    {
        rented = null;
        var raw = Raw(label);
        if (label is LogLabel.Host or LogLabel.App or LogLabel.Severity || raw.IndexOf((byte)'\\') < 0)
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

    /// <summary>The value as stored on the line (SD values still escaped).</summary>
    public ReadOnlySpan<byte> Raw(LogLabel label) => label switch
    {
        LogLabel.Namespace => _namespace,
        LogLabel.Pod => _pod,
        LogLabel.Container => _container,
        LogLabel.Host => _host,
        LogLabel.App => _app,
        _ => _severity,
    };

    public string LabelString(LogLabel label)
    {
        var raw = Raw(label);
        return raw.IsEmpty ? string.Empty
            : label is LogLabel.Namespace or LogLabel.Pod or LogLabel.Container ? StructuredDataValue.ToString(raw)
            : System.Text.Encoding.UTF8.GetString(raw);
    }

    /// <summary>
    /// Every label's value as a string, indexed by <see cref="LogLabel"/> (the labels of a search or tail entry).
    /// </summary>
    public string[] LabelStrings()
    {
        var labels = new string[LogLabels.Count];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = LabelString((LogLabel)i);
        }

        return labels;
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
            for (; i < line.Length; i++)
            {
                byte b = line[i];
                if (b == '\\' && quoted)
                {
                    i++;
                }
                else if (b == '"')
                {
                    quoted = !quoted;
                }
                else if (b == ']' && !quoted)
                {
                    break;
                }
            }

            p = Math.Min(i + 1, line.Length);
        }

        return p;
    }
}
