namespace Collector.Ingest;

/// <summary>
/// RELP sessions and answers, for /metrics; the messages themselves are in <see cref="IngestMetrics.Relp"/>.
/// </summary>
public sealed class RelpCounters
{
    private long _opened;
    private long _open;
    private long _acknowledged;
    private long _oversize;
    private long _refused;
    private long _protocolErrors;

    /// <summary>Sessions opened (an accepted <c>open</c>).</summary>
    public long Opened => Interlocked.Read(ref _opened);

    public long Open => Interlocked.Read(ref _open);

    /// <summary><c>syslog</c> commands answered <c>200 OK</c> (the line is in the file).</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    /// <summary><c>syslog</c> commands answered <c>500</c> because the message was over the size limit.</summary>
    public long Oversize => Interlocked.Read(ref _oversize);

    /// <summary>Other <c>500</c> answers: a refused <c>open</c>, <c>syslog</c> before <c>open</c>.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>
    /// Sessions closed for breaking the protocol (bad framing, txnr out of sequence, unknown command).
    /// </summary>
    public long ProtocolErrors => Interlocked.Read(ref _protocolErrors);

    public void SessionOpened()
    {
        Interlocked.Increment(ref _opened);
        Interlocked.Increment(ref _open);
    }

    public void SessionClosed() => Interlocked.Decrement(ref _open);

    public void Acknowledge(int count) => Interlocked.Add(ref _acknowledged, count);

    public void OversizeRefused() => Interlocked.Increment(ref _oversize);

    public void OtherRefused() => Interlocked.Increment(ref _refused);

    public void ProtocolError() => Interlocked.Increment(ref _protocolErrors);
}
