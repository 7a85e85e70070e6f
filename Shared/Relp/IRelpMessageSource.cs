namespace Shared.Relp;

/// <summary>
/// Hands messages to <see cref="RelpClientSession.SendSyslogAsync(IRelpMessageSource, CancellationToken)"/> one at a
/// time, only when the window has room for it: a message taken is on the session at once (answered, or given back by
/// <see cref="RelpClientSession.TakeUnacknowledged"/>), never lost between the two.
/// </summary>
public interface IRelpMessageSource
{
    /// <summary>
    /// A message is left to take (asked before waiting for room, so as not to wait for nothing).
    /// </summary>
    bool HasNext { get; }

    /// <summary>The next message with what comes back with its answer; false when there is none.</summary>
    bool TryTakeNext(out ReadOnlyMemory<byte> message, out object? state, out int tag);
}
