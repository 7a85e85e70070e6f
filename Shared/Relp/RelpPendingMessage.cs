namespace Shared.Relp;

/// <summary>A <c>syslog</c> command sent and not answered: re-send it on a new session (with a new txnr).</summary>
/// <param name="Txnr">The txnr it had on the session that ended.</param>
/// <param name="Message">The message bytes, as passed to
/// <see cref="RelpClientSession.SendSyslogAsync(ReadOnlyMemory{byte}, object?, bool, CancellationToken)"/>.</param>
/// <param name="State">What the sender passed with it.</param>
/// <param name="Tag">The number the sender passed with it (0 if none).</param>
public readonly record struct RelpPendingMessage(int Txnr, ReadOnlyMemory<byte> Message, object? State, int Tag = 0);
