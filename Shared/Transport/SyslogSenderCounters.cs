namespace Shared.Transport;

/// <summary>What a sender did since it was created; safe to read from any thread (e.g. a metrics scrape).</summary>
public sealed class SyslogSenderCounters
{
    private long _messagesSent;
    private long _bytesSent;
    private long _reconnects;
    private long _truncated;
    private long _failedSends;

    /// <summary>Messages handed to the socket. A TCP batch resent after a reconnect counts once.</summary>
    public long MessagesSent => Interlocked.Read(ref _messagesSent);

    /// <summary>Bytes of completed sends, framing included (TCP, once per batch however often it was resent) or datagram payloads (UDP).</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>TCP connections opened after the first one, i.e. each time a lost connection was replaced.</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>UDP messages cut to the datagram size.</summary>
    public long Truncated => Interlocked.Read(ref _truncated);

    /// <summary>UDP messages the socket refused (e.g. ICMP port unreachable) or that had no address to go to.</summary>
    public long FailedSends => Interlocked.Read(ref _failedSends);

    internal void AddSent(long messages, long bytes)
    {
        Interlocked.Add(ref _messagesSent, messages);
        Interlocked.Add(ref _bytesSent, bytes);
    }

    internal void AddReconnect() => Interlocked.Increment(ref _reconnects);

    internal void AddTruncated() => Interlocked.Increment(ref _truncated);

    internal void AddFailedSend() => Interlocked.Increment(ref _failedSends);
}
