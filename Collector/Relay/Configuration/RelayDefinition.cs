using Shared.Framing;
using Shared.Transport;

namespace Collector.Relay.Configuration;

/// <summary>
/// One relay as configured: a Gravity <c>logforwarder</c> document (name, address, protocol) plus our optional
/// extensions. A value: two definitions are equal exactly when the relay would behave the same, which is how a
/// reload decides what to restart.
/// </summary>
public sealed record RelayDefinition
{
    public const long DefaultQueueBytes = 64L << 20;
    public const long DefaultSpillBytes = 1L << 30;
    public const int DefaultMaxDatagramSize = 2048;

    public required string Name { get; init; }

    public required string Host { get; init; }

    public required int Port { get; init; }

    public SyslogTransportProtocol Protocol { get; init; } = SyslogTransportProtocol.Tcp;

    public SyslogFraming Framing { get; init; } = SyslogFraming.OctetCounting;

    public RelayFormat Format { get; init; } = RelayFormat.Rfc5424;

    /// <summary>
    /// The search API's query text (<c>{namespace!="kube-system"} |= "error"</c>); null relays everything.
    /// </summary>
    public string? Filter { get; init; }

    /// <summary>Bytes of encoded messages held in memory while the target is slow or away.</summary>
    public long QueueBytes { get; init; } = DefaultQueueBytes;

    /// <summary>When the memory queue is full, further messages go to segment files (and survive a restart).</summary>
    public bool Spill { get; init; }

    public long SpillBytes { get; init; } = DefaultSpillBytes;

    /// <summary>UDP only: longer messages are cut at a UTF-8 boundary (RFC 5426 asks receivers for 2048).</summary>
    public int MaxDatagramSize { get; init; } = DefaultMaxDatagramSize;

    public RelayTlsSettings? Tls { get; init; }

    /// <summary>
    /// Deprecated keys the document used (<c>spec.tls.caFile (now spec.tls.ca)</c>), for a warning; null when none.
    /// </summary>
    public string? DeprecatedKeys { get; init; }

    public string Address => $"{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port}";
}
