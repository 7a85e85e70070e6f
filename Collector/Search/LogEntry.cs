using System.Buffers;
using System.Text;
using Collector.Search.Pipeline;
using Collector.Storage;

namespace Collector.Search;

/// <summary>
/// One stored line as the API hands it out, from a search or a tail: its time, its labels (indexed by
/// <see cref="LogLabel"/>), the line as stored, and its message with the control character escapes undone (real
/// newlines: docs/api.md, The message).
/// </summary>
public sealed record LogEntry(long TimeNs, string[] Labels, string Line, string Message)
{
    /// <summary>
    /// After a pipeline: every label the line has in the Loki API (stream labels, extracted ones, <c>__error__</c>),
    /// sorted by name; null for a query without one.
    /// </summary>
    public KeyValuePair<string, string>[]? PipelineLabels { get; init; }

    public static LogEntry Of(ReadOnlySpan<byte> line, in StoredLine parsed) =>
        new(parsed.TimeNs, parsed.LabelStrings(), Encoding.UTF8.GetString(line), MessageOf(line, parsed));

    /// <summary>
    /// An entry after a pipeline (<paramref name="piped"/> null: none): its labels, and its line when a stage replaced
    /// it (line_format, decolorize, unpack), which is then the message too.
    /// </summary>
    public static LogEntry Of(ReadOnlySpan<byte> line, in StoredLine parsed, PipelineLine? piped)
    {
        if (piped is null)
        {
            return Of(line, parsed);
        }

        var entry = piped.LineChanged
            ? new LogEntry(parsed.TimeNs, parsed.LabelStrings(), piped.Line, piped.Line)
            : Of(line, parsed);
        return entry with { PipelineLabels = piped.Result() };
    }

    /// <summary>
    /// MSG with every <c>#ooo</c> escape undone; the whole line for a line of another shape (no timestamp: the
    /// <c>traditional</c> and <c>rfc5424</c> formats).
    /// </summary>
    public static string MessageOf(ReadOnlySpan<byte> line, in StoredLine parsed)
    {
        var escaped = parsed.TimeNs == 0 ? line : parsed.Message;
        if (escaped.IndexOf((byte)'#') < 0)
        {
            return Encoding.UTF8.GetString(escaped);
        }

        byte[]? rented = null;
        Span<byte> plain = escaped.Length <= 1024 ? stackalloc byte[1024] : (rented = ArrayPool<byte>.Shared.Rent(escaped.Length));
        int n = ControlCharacters.Unescape(escaped, plain);
        string message = Encoding.UTF8.GetString(plain[..n]);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return message;
    }
}
