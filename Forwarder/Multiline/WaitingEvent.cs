using Forwarder.Parsing;

namespace Forwarder.Multiline;

/// <summary>
/// A complete event kept back because an event of the other stream that began before it may still end before it
/// (see <see cref="MultilineJoiner"/>). Copied, since the pending event's buffer is reused for the stream's next line;
/// only events that complete while the other stream is in the middle of one wait, so copies are rare.
/// </summary>
internal sealed record WaitingEvent(
    byte[] Content, byte[] Timestamp, LogStream Stream, long Offset, long End, long OriginalLength, bool Partial, bool Malformed)
{
    public static WaitingEvent Of(in LogEntry entry, long end) => new(
        entry.Content.ToArray(), entry.Timestamp.ToArray(), entry.Stream, entry.Offset, end, entry.OriginalLength, entry.Partial, entry.Malformed);

    public LogEntry ToEntry() => new()
    {
        Content = Content,
        Timestamp = Timestamp,
        Stream = Stream,
        Offset = Offset,
        OriginalLength = OriginalLength,
        Partial = Partial,
        Malformed = Malformed,
    };
}
