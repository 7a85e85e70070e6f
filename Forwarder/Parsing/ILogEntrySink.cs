namespace Forwarder.Parsing;

/// <summary>
/// Receives complete entries from <see cref="LogLineParser"/>; the entry's spans are valid only during the call.
/// </summary>
public interface ILogEntrySink
{
    void Add(in LogEntry entry);
}
