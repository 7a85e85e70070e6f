using Microsoft.Extensions.Logging;

namespace TestSupport;

/// <summary>
/// Hands an untyped logger (e.g. <see cref="CollectingLogger"/>) to a constructor that takes <see cref="ILogger{T}"/>.
/// </summary>
public sealed class TypedLogger<T>(ILogger inner) : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        inner.Log(logLevel, eventId, state, exception, formatter);
}
