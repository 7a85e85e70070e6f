namespace Shared.Transport;

/// <summary>
/// Ships unframed RFC 5424 messages to one syslog peer; the sender adds the framing its transport needs.
/// A completed <c>SendAsync</c> means the bytes were handed to the socket, so the caller may advance its checkpoints.
/// Cancellation is the only way a send ends early; the batch is then not known to be sent.
/// One caller at a time: concurrent calls are serialised, not interleaved.
/// </summary>
public interface ISyslogSender : IAsyncDisposable
{
    SyslogSenderCounters Counters { get; }

    /// <summary>
    /// Safe to read from any thread, for a status display. TCP: a connection is open (it is opened by the first send
    /// and again after a failure). UDP: the peer's address is resolved and the socket exists.
    /// </summary>
    bool IsConnected { get; }

    ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default);

    /// <summary>Sends the messages in order; over TCP as one write, resent whole after a reconnect.</summary>
    ValueTask SendAsync(IReadOnlyList<ReadOnlyMemory<byte>> messages, CancellationToken cancellationToken = default);
}
