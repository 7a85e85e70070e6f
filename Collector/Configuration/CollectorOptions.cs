using System.Net;
using Collector.Storage;

namespace Collector.Configuration;

/// <summary>
/// Validated settings of one Collector process, read from the <c>Collector</c> configuration section by
/// <see cref="CollectorOptionsReader"/>. Defaults are the embedded local stack: loopback ports, <c>./data/messages</c>.
/// </summary>
public sealed record CollectorOptions
{
    public const string Section = "Collector";

    /// <summary>TCP syslog listener (octet-counted and LF framing, detected per frame); null disables it.</summary>
    public IPEndPoint? Tcp { get; init; } = new(IPAddress.Loopback, 5514);

    /// <summary>UDP syslog listener; null disables it.</summary>
    public IPEndPoint? Udp { get; init; } = new(IPAddress.Loopback, 5514);

    /// <summary>RELP listener (rsyslog's omrelp, our Forwarder's relp:// target); null disables it.</summary>
    public IPEndPoint? Relp { get; init; } = new(IPAddress.Loopback, 2514);

    /// <summary>When a RELP message is acknowledged: after the write (default) or after fdatasync too.</summary>
    public RelpAckAfter RelpAckAfter { get; init; } = RelpAckAfter.Write;

    /// <summary>TLS syslog listener (RFC 5425; octet-counted and LF framing, detected per frame); null: off.</summary>
    public IPEndPoint? Tls { get; init; }

    /// <summary>RELP over TLS listener (the RELP listener's protocol inside TLS); null disables it.</summary>
    public IPEndPoint? RelpTls { get; init; }

    /// <summary>PEM file of the TLS listeners' certificate, optionally followed by its intermediates.</summary>
    public string? TlsCert { get; init; }

    /// <summary>PEM file of the certificate's private key (PKCS#8, PKCS#1 or SEC1, unencrypted).</summary>
    public string? TlsKey { get; init; }

    /// <summary>How often the certificate and key files are read again to pick up a rotated pair.</summary>
    public TimeSpan TlsReloadInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A TLS handshake not done within this long is abandoned and its connection closed.</summary>
    public TimeSpan TlsHandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// TLS handshakes in progress at once (both TLS listeners); further connections wait for a slot, so under a burst
    /// the CPU goes to handshakes that can finish in time instead of being shared by thousands that all time out.
    /// </summary>
    public int TlsMaxHandshakes { get; init; } = DefaultTlsMaxHandshakes;

    /// <summary>A connection that sent its ClientHello and waited this long for a handshake slot is closed.</summary>
    public TimeSpan TlsHandshakeQueueTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Client authentication; null: certvalid when <see cref="TlsClientCa"/> is set, else none.</summary>
    public TlsClientAuth? TlsClientAuth { get; init; }

    /// <summary>PEM file of the CA certificates client certificates must chain to.</summary>
    public string? TlsClientCa { get; init; }

    /// <summary>Name patterns (name mode) or SHA-256 fingerprints (fingerprint mode) of permitted clients.</summary>
    public IReadOnlyList<string> TlsPermittedPeer { get; init; } = [];

    /// <summary>Check each message's HOSTNAME against the node named by the client certificate.</summary>
    public bool IdentityFromCert { get; init; }

    /// <summary>What happens to a message whose HOSTNAME is not its client certificate's node.</summary>
    public IdentityMismatch IdentityMismatch { get; init; } = IdentityMismatch.Mark;

    /// <summary>Client authentication in effect: the explicit mode, else by whether a client CA is given.</summary>
    public TlsClientAuth ClientAuthInEffect() =>
        TlsClientAuth ?? (TlsClientCa is null ? Configuration.TlsClientAuth.None : Configuration.TlsClientAuth.CertValid);

    /// <summary>A TLS listener is configured.</summary>
    /// <summary>
    /// Four per processor the runtime sees (a container's CPU limit included): a slot is also held while the handshake
    /// waits for the client's next flight, so one per core would leave cores idle on a network with real round trips.
    /// </summary>
    public static int DefaultTlsMaxHandshakes => 4 * Environment.ProcessorCount;

    public bool AnyTls() => Tls is not null || RelpTls is not null;

    /// <summary>HTTP endpoint for health, readiness and metrics; null disables it.</summary>
    public IPEndPoint? Http { get; init; } = new(IPAddress.Loopback, 8083);

    /// <summary>
    /// HTTPS endpoint serving what the HTTP one serves (API, UI, health, metrics); null: off. Both may run at once.
    /// </summary>
    public IPEndPoint? Https { get; init; }

    /// <summary>PEM certificate of the HTTPS endpoint (intermediates may follow); not the syslog pair.</summary>
    public string? HttpsCert { get; init; }

    /// <summary>PEM private key of <see cref="HttpsCert"/> (unencrypted).</summary>
    public string? HttpsKey { get; init; }

    /// <summary>The messages file; rotated files sit next to it as <c>messages.1</c>, <c>messages.2.gz</c>, …</summary>
    public string File { get; init; } = Path.Combine(".", "data", "messages");

    public LineFormat Format { get; init; } = LineFormat.File;

    /// <summary>Longest message kept whole; longer ones are truncated to this and marked.</summary>
    public int MaxMessageSize { get; init; } = 260 * 1024;

    public int MaxConnections { get; init; } = 10_000;

    /// <summary>A TCP connection that sends nothing for this long is closed; zero disables the check.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>SO_RCVBUF asked for on the UDP socket (SO_RCVBUFFORCE when the kernel's rmem_max is lower).</summary>
    public int UdpReceiveBuffer { get; init; } = 8 * 1024 * 1024;

    /// <summary>Bytes of formatted lines that may wait for the writer before TCP clients are paused.</summary>
    public long QueueSize { get; init; } = 8 * 1024 * 1024;

    /// <summary>The messages file is rotated before a write would take it past this size.</summary>
    public long MaxFileSize { get; init; } = 256L * 1024 * 1024;

    /// <summary>Rotated files kept (<c>messages.1</c> … <c>messages.N</c>).</summary>
    public int MaxFiles { get; init; } = 9;

    /// <summary>
    /// Gzip rotated files from <c>messages.2</c> on (<c>messages.1</c> stays plain, as logrotate's delaycompress).
    /// </summary>
    public bool Compress { get; init; } = true;

    /// <summary>Cap on the bytes of all rotated files together; the oldest are deleted first. Zero: no cap.</summary>
    public long MaxTotalSize { get; init; } = 4L * 1024 * 1024 * 1024;

    /// <summary>
    /// Free space kept on the volume of the messages file by deleting the oldest rotated files (journald's
    /// <c>SystemKeepFree</c>); the current file is never deleted.
    /// </summary>
    public MinFreeSpace MinFree { get; init; } = MinFreeSpace.Default;

    /// <summary>
    /// fsync the messages file at most this often; zero leaves it to the kernel (data is in the page cache at once).
    /// </summary>
    public TimeSpan FsyncInterval { get; init; } = TimeSpan.Zero;

    /// <summary><c>text</c> or <c>json</c> (one JSON object per line, for containers).</summary>
    public string LogFormat { get; init; } = "text";

    public Serilog.Events.LogEventLevel LogLevel { get; init; } = Serilog.Events.LogEventLevel.Information;

    /// <summary>
    /// The read token: bearer token <c>/api</c> and <c>/v1</c> requests may carry to search, tail and download (read
    /// from <see cref="ApiTokenFile"/> or set directly); null with no <see cref="AdminToken"/> either: open.
    /// </summary>
    public string? ApiToken { get; init; }

    /// <summary>File holding the read token (a mounted Kubernetes secret), read at start and when it changes.</summary>
    public string? ApiTokenFile { get; init; }

    /// <summary>
    /// The admin token: everything the read token allows, and relay changes over HTTP (read from
    /// <see cref="AdminTokenFile"/> or set directly); null: relays cannot be changed over HTTP while a read token is
    /// set.
    /// </summary>
    public string? AdminToken { get; init; }

    /// <summary>File holding the admin token, read at start and again when it changes.</summary>
    public string? AdminTokenFile { get; init; }

    /// <summary>Live tails served at once; one more gets 429.</summary>
    public int MaxTails { get; init; } = 100;

    /// <summary>
    /// How long one live tail follows; then it ends and the client reconnects from its last line (kubectl with
    /// sinceSeconds; logcli and Grafana after the dropped WebSocket, as after a Loki querier restart).
    /// </summary>
    public TimeSpan MaxFollow { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The relay directory: one <c>logforwarder</c> document per file (the mount point of the <c>log-forwarders</c>
    /// ConfigMap), read again whenever it changes; null: no relays.
    /// </summary>
    public string? Relays { get; init; }

    /// <summary>
    /// Where relays with <c>spill: disk</c> keep their segment files, one directory per relay; when not set,
    /// <c>relay-spill</c> next to the messages file.
    /// </summary>
    public string? RelaySpill { get; init; }

    /// <summary>Time budget of one search; past it the page ends early with a cursor to go on.</summary>
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
