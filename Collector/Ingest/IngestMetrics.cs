namespace Collector.Ingest;

/// <summary>Counters of the listeners, for /metrics.</summary>
public sealed class IngestMetrics
{
    private long _framingErrors;

    public IngestCounters Tcp { get; } = new("tcp");

    public IngestCounters Udp { get; } = new("udp");

    /// <summary>Syslog over TLS (<c>--tls</c>); RELP over TLS counts with <see cref="Relp"/>.</summary>
    public IngestCounters Tls { get; } = new("tls");

    public IngestCounters Relp { get; } = new("relp");

    public RelpCounters RelpSessions { get; } = new();

    /// <summary>Connections closed because their byte stream could not be framed any further.</summary>
    public long FramingErrorCount => Interlocked.Read(ref _framingErrors);

    public void FramingErrors() => Interlocked.Increment(ref _framingErrors);
}
