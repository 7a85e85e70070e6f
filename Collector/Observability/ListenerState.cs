using System.Net;

namespace Collector.Observability;

/// <summary>The endpoints actually bound (port 0 resolved), for logs, tests and /readyz.</summary>
public sealed class ListenerState
{
    public IPEndPoint? Tcp { get; set; }

    public IPEndPoint? Udp { get; set; }

    public IPEndPoint? Relp { get; set; }

    public IPEndPoint? Http { get; set; }

    public IPEndPoint? Tls { get; set; }

    public IPEndPoint? RelpTls { get; set; }

    public IPEndPoint? Https { get; set; }

    /// <summary>Every configured listener is bound (set once the host has started).</summary>
    public bool Bound { get; set; }
}
