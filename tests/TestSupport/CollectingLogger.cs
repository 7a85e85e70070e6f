using Microsoft.Extensions.Logging;

namespace TestSupport;

/// <summary>
/// An <see cref="ILogger"/> that keeps every entry, so tests can assert what was logged and with which values.
/// </summary>
public sealed class CollectingLogger : ILogger
{
    private readonly List<Entry> _entries = [];

    public IReadOnlyList<Entry> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var values = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
        lock (_entries)
        {
            _entries.Add(new Entry(logLevel, eventId, formatter(state, exception), exception, values.ToDictionary(p => p.Key, p => p.Value)));
        }
    }

    public IReadOnlyList<Entry> WithEvent(int eventId) => Entries.Where(e => e.EventId.Id == eventId).ToList();

    public sealed record Entry(LogLevel Level, EventId EventId, string Message, Exception? Exception, IReadOnlyDictionary<string, object?> Values);
}
