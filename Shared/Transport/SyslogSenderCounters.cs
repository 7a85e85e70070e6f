namespace Shared.Transport;

/// <summary>What a sender did since it was created; safe to read from any thread (e.g. a metrics scrape).</summary>
public sealed class SyslogSenderCounters
{
    private long _messagesSent;
    private long _bytesSent;
    private long _reconnects;
    private long _truncated;
    private long _failedSends;
    private long _refused;
    private long _resent;
    private LastErrorRecord? _lastError;

    /// <summary>Messages handed to the socket. A TCP batch resent after a reconnect counts once.</summary>
    public long MessagesSent => Interlocked.Read(ref _messagesSent);

    /// <summary>
    /// Bytes of completed sends, framing included (TCP, once per batch however often it was resent) or datagram
    /// payloads (UDP).
    /// </summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>TCP connections opened after the first one, i.e. each time a lost connection was replaced.</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>UDP messages cut to the datagram size.</summary>
    public long Truncated => Interlocked.Read(ref _truncated);

    /// <summary>UDP messages the socket refused (e.g. ICMP port unreachable) or that had no address to go to.</summary>
    public long FailedSends => Interlocked.Read(ref _failedSends);

    /// <summary>
    /// RELP: messages the receiver answered with an error (e.g. <c>500</c>); they are not sent again.
    /// </summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>
    /// RELP: messages sent again on a new session because the previous one ended before answering them.
    /// </summary>
    public long Resent => Interlocked.Read(ref _resent);

    /// <summary>
    /// The message of the latest failed TCP connect, TLS handshake or write, kept after later sends succeed; null
    /// until one fails. Read <see cref="LastErrorAt"/> for when; the two may come from consecutive errors.
    /// </summary>
    public string? LastError => Volatile.Read(ref _lastError)?.Message;

    /// <summary>When <see cref="LastError"/> happened, from the sender's <see cref="TimeProvider"/>.</summary>
    public DateTimeOffset? LastErrorAt => Volatile.Read(ref _lastError)?.At;

    internal void AddSent(long messages, long bytes)
    {
        Interlocked.Add(ref _messagesSent, messages);
        Interlocked.Add(ref _bytesSent, bytes);
    }

    internal void AddReconnect() => Interlocked.Increment(ref _reconnects);

    internal void AddTruncated() => Interlocked.Increment(ref _truncated);

    internal void AddRefused() => Interlocked.Increment(ref _refused);

    internal void AddResent(long messages) => Interlocked.Add(ref _resent, messages);

    internal void AddFailedSend() => Interlocked.Increment(ref _failedSends);

    internal void RecordError(string message, DateTimeOffset at) => Volatile.Write(ref _lastError, new LastErrorRecord(message, at));

    private sealed record LastErrorRecord(string Message, DateTimeOffset At);
}
