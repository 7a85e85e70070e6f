using Forwarder.Parsing;

namespace Forwarder.Multiline;

/// <summary>Receives the joined events of a <see cref="MultilineJoiner"/>.</summary>
public interface IJoinedEventSink
{
    /// <summary>
    /// One event; <paramref name="end"/> is the file offset just after its last line's '\n' (its origin's end).
    /// <paramref name="entry"/>'s spans are valid only during the call.
    /// </summary>
    void Emit(in LogEntry entry, long end);
}
