namespace Forwarder.Multiline;

/// <summary>
/// A <see cref="LineVerdict.Tentative"/> line kept aside until the next line says whether it belongs to the event.
/// Copied, since the parser's spans are gone by then; such lines are rare (exception headers, blank lines in dumps).
/// </summary>
internal sealed record HeldLine(byte[] Content, byte[] Timestamp, long Offset, long End, long OriginalLength, bool Partial, EventMode Mode)
{
    public static HeldLine Of(in EventLine line, EventMode mode) =>
        new(line.Content.ToArray(), line.Timestamp.ToArray(), line.Offset, line.End, line.OriginalLength, line.Partial, mode);

    public EventLine ToLine() => new()
    {
        Content = Content,
        Timestamp = Timestamp,
        Offset = Offset,
        End = End,
        OriginalLength = OriginalLength,
        Partial = Partial,
    };
}
