using Collector.Storage;
using Shared.Configuration;
using Shared.Hosting;

namespace Collector.Configuration;

/// <summary>
/// Every setting of the Collector, declared once: <see cref="CollectorOptionsReader"/> reads them,
/// <see cref="CommandLine"/> makes the switches and <c>--help</c> of them, and tests check docs/collector.md's table,
/// the manifests' keys and <see cref="CollectorOptions"/>' defaults against them. A new setting is a property of the
/// options and one entry here.
/// </summary>
public static class CollectorSettings
{
    private const string Endpoint = "HOST:PORT (an IP address, localhost or *, and a port 0-65535) or empty to disable";

    public static readonly IReadOnlyList<Setting<CollectorOptions>> All =
    [
        One("Tcp", "--tcp", "HOST:PORT", "127.0.0.1:5514", "TCP syslog listener, octet-counted or LF framing per frame; empty disables",
            ConfigValue.ParseEndpoint, Endpoint, o => o.Tcp, (o, v) => o with { Tcp = v }),
        One("Udp", "--udp", "HOST:PORT", "127.0.0.1:5514", "UDP syslog listener; empty disables",
            ConfigValue.ParseEndpoint, Endpoint, o => o.Udp, (o, v) => o with { Udp = v }),
        One("Relp", "--relp", "HOST:PORT", "127.0.0.1:2514",
            "RELP listener (rsyslog omrelp, Forwarder relp://); each message is acknowledged once it is in the file; " +
            "empty disables",
            ConfigValue.ParseEndpoint, Endpoint, o => o.Relp, (o, v) => o with { Relp = v }),
        One("RelpAckAfter", "--relp-ack-after", "write|fsync", "write",
            "acknowledge RELP messages after the write (survives a Collector crash) or after fdatasync too " +
            "(survives a node crash)",
            ParseAckAfter, "write or fsync", o => o.RelpAckAfter, (o, v) => o with { RelpAckAfter = v }),
        One("Tls", "--tls", "HOST:PORT", null,
            "TLS syslog listener (RFC 5425; octet-counted or LF framing per frame, as on --tcp); needs --tls-cert " +
            "and --tls-key; empty disables",
            ConfigValue.ParseEndpoint, Endpoint, o => o.Tls, (o, v) => o with { Tls = v }),
        One("RelpTls", "--relp-tls", "HOST:PORT", null,
            "RELP over TLS listener (rsyslog omrelp tls=\"on\", Forwarder relp+tls://); same certificate and client " +
            "checks as --tls; empty disables",
            ConfigValue.ParseEndpoint, Endpoint, o => o.RelpTls, (o, v) => o with { RelpTls = v }),
        One("TlsCert", "--tls-cert", "PATH", null,
            "PEM certificate of the TLS listeners (intermediates may follow it); reloaded when it changes",
            ParseFile, "an existing file", o => o.TlsCert, (o, v) => o with { TlsCert = v }),
        One("TlsKey", "--tls-key", "PATH", null, "PEM private key of --tls-cert (unencrypted); reloaded when it changes",
            ParseFile, "an existing file", o => o.TlsKey, (o, v) => o with { TlsKey = v }),
        One("TlsReloadInterval", "--tls-reload-interval", "DURATION", "10s",
            "how often --tls-cert and --tls-key (and --https-cert, --https-key) are read again (a new pair serves new " +
            "connections only)",
            t => ConfigValue.ParseDuration(t) is (true, var d) && d >= TimeSpan.FromMilliseconds(50) ? (true, d) : (false, default),
            "a duration of at least 50ms", o => o.TlsReloadInterval, (o, v) => o with { TlsReloadInterval = v }),
        One("TlsHandshakeTimeout", "--tls-handshake-timeout", "DURATION", "10s",
            "close a TLS connection whose handshake is not done within this long",
            t => ConfigValue.ParseDuration(t) is (true, var d) && d > TimeSpan.Zero ? (true, d) : (false, default),
            "a duration such as 10s (not 0)", o => o.TlsHandshakeTimeout, (o, v) => o with { TlsHandshakeTimeout = v }),
        One("TlsMaxHandshakes", "--tls-max-handshakes", "N", "4 per processor",
            "TLS handshakes in progress at once; further connections wait for a slot (gauge tls_handshakes_waiting)",
            t => ConfigValue.ParseInt(t, 1, 100_000), "a whole number from 1 to 100000",
            o => o.TlsMaxHandshakes, (o, v) => o with { TlsMaxHandshakes = v }) with { DefaultIsDescribed = true },
        One("TlsHandshakeQueueTimeout", "--tls-handshake-queue-timeout", "DURATION", "10s",
            "close a TLS connection that waited this long for a handshake slot (its handshake timeout starts with the slot)",
            t => ConfigValue.ParseDuration(t) is (true, var d) && d > TimeSpan.Zero ? (true, d) : (false, default),
            "a duration such as 10s (not 0)", o => o.TlsHandshakeQueueTimeout, (o, v) => o with { TlsHandshakeQueueTimeout = v }),
        One("TlsClientAuth", "--tls-client-auth", "none|certvalid|name|fingerprint", "certvalid with --tls-client-ca, else none",
            "client certificates: none (encryption only), certvalid (chains to --tls-client-ca), name (and a SAN/CN " +
            "matches --tls-permitted-peer), fingerprint (SHA-256 among --tls-permitted-peer)",
            ParseClientAuth, "none, certvalid, name or fingerprint",
            o => o.TlsClientAuth, (o, v) => o with { TlsClientAuth = v }) with { DefaultIsDescribed = true },
        One("TlsClientCa", "--tls-client-ca", "PATH", null, "PEM file of the CA certificates client certificates must chain to",
            ParseFile, "an existing file", o => o.TlsClientCa, (o, v) => o with { TlsClientCa = v }),
        Many("TlsPermittedPeer", "--tls-permitted-peer", "PATTERN", null,
            "permitted client: a name pattern (node1.example, *.nodes.example) or a fingerprint (SHA256:AA:BB:...); " +
            "also a comma list",
            o => o.TlsPermittedPeer, (o, v) => o with { TlsPermittedPeer = v }),
        One("IdentityFromCert", "--identity-from-cert", "BOOL", "false",
            "check each message's HOSTNAME against the node its client certificate names (docs/security.md)",
            t => bool.TryParse(t, out bool b) ? (true, b) : (false, false), "true or false",
            o => o.IdentityFromCert, (o, v) => o with { IdentityFromCert = v }),
        One("IdentityMismatch", "--identity-mismatch", "mark|reject", "mark",
            "a message claiming another node: stored marked spoofed=\"true\" with the certificate's peer, or rejected",
            ParseMismatch, "mark or reject", o => o.IdentityMismatch, (o, v) => o with { IdentityMismatch = v }),
        One("Http", "--http", "HOST:PORT", "127.0.0.1:8083", "HTTP endpoint: search and tail API, /healthz, /readyz, /metrics; port 0 picks one",
            ConfigValue.ParseEndpoint, Endpoint, o => o.Http, (o, v) => o with { Http = v }),
        One("Https", "--https", "HOST:PORT", null,
            "HTTPS endpoint serving the same API, UI, /healthz, /readyz and /metrics as --http (both may run); needs " +
            "--https-cert and --https-key; empty disables",
            ConfigValue.ParseEndpoint, Endpoint, o => o.Https, (o, v) => o with { Https = v }),
        One("HttpsCert", "--https-cert", "PATH", null,
            "PEM certificate of --https (intermediates may follow it); read again every --tls-reload-interval",
            ParseFile, "an existing file", o => o.HttpsCert, (o, v) => o with { HttpsCert = v }),
        One("HttpsKey", "--https-key", "PATH", null, "PEM private key of --https-cert (unencrypted); reloaded when it changes",
            ParseFile, "an existing file", o => o.HttpsKey, (o, v) => o with { HttpsKey = v }),
        One("File", "--file", "PATH", "./data/messages", "messages file; rotated files are PATH.1, PATH.2.gz, ...",
            t => (t.Length > 0, t), "a file path", o => o.File, (o, v) => o with { File = v }),
        One("Format", "--format", "NAME", "file", "line format: file (RSYSLOG_FileFormat plus priority, MSGID and SD), traditional, rfc5424",
            ParseFormat, "file, traditional or rfc5424", o => o.Format, (o, v) => o with { Format = v }),
        One("MaxMessageSize", "--max-message-size", "SIZE", "260KiB", "longest message kept whole; longer ones are truncated and marked",
            t => Size(t, 480, 64L << 20) is (true, var v) ? (true, (int)v) : (false, 0),
            "a size from 480 bytes to 64MiB", o => o.MaxMessageSize, (o, v) => o with { MaxMessageSize = v }),
        One("MaxConnections", "--max-connections", "N", "10000", "concurrent TCP connections",
            t => ConfigValue.ParseInt(t, 1, 1_000_000), "a whole number from 1 to 1000000",
            o => o.MaxConnections, (o, v) => o with { MaxConnections = v }),
        One("IdleTimeout", "--idle-timeout", "DURATION", "30m", "close TCP connections silent this long; 0 never",
            ConfigValue.ParseDuration, "a duration such as 30s, 10m or 0", o => o.IdleTimeout, (o, v) => o with { IdleTimeout = v }),
        One("UdpReceiveBuffer", "--udp-buffer", "SIZE", "8MiB", "UDP socket receive buffer",
            t => Size(t, 0, 1L << 30) is (true, var v) ? (true, (int)v) : (false, 0), "a size up to 1GiB",
            o => o.UdpReceiveBuffer, (o, v) => o with { UdpReceiveBuffer = v }),
        One("QueueSize", "--queue-size", "SIZE", "8MiB", "formatted bytes waiting for the writer before TCP clients are paused",
            t => Size(t, 64 * 1024, 4L << 30), "a size from 64KiB to 4GiB", o => o.QueueSize, (o, v) => o with { QueueSize = v }),
        One("MaxFileSize", "--max-file-size", "SIZE", "256MiB", "rotate the messages file at this size",
            t => Size(t, 1024, long.MaxValue), "a size of at least 1KiB", o => o.MaxFileSize, (o, v) => o with { MaxFileSize = v }),
        One("MaxFiles", "--max-files", "N", "9", "rotated files to keep",
            t => ConfigValue.ParseInt(t, 0, 1000), "a whole number from 0 to 1000", o => o.MaxFiles, (o, v) => o with { MaxFiles = v }),
        One("Compress", "--compress", "BOOL", "true", "gzip rotated files from PATH.2 on",
            t => bool.TryParse(t, out bool b) ? (true, b) : (false, false), "true or false", o => o.Compress, (o, v) => o with { Compress = v }),
        One("MaxTotalSize", "--max-total-size", "SIZE", "4GiB", "cap on all rotated files together, oldest deleted first; 0 none",
            t => Size(t, 0, long.MaxValue), "a size (0 for no cap)", o => o.MaxTotalSize, (o, v) => o with { MaxTotalSize = v }),
        One("MinFree", "--min-free", "SIZE|N%", "1GiB or 5% of the volume, whichever is smaller",
            "keep this much of the messages file's volume free by deleting the oldest rotated files " +
            "(never the current one); 0 disables",
            MinFreeSpace.Parse, MinFreeSpace.Rule, o => o.MinFree, (o, v) => o with { MinFree = v }) with { DefaultIsDescribed = true },
        One("FsyncInterval", "--fsync-interval", "DURATION", "0",
            "fsync the messages file this often; 0 never (the page cache has the lines at once)",
            ConfigValue.ParseDuration, "a duration such as 1s or 0", o => o.FsyncInterval, (o, v) => o with { FsyncInterval = v }),
        One("LogFormat", "--log-format", "text|json", "text", "format of the Collector's own log on stdout",
            ConsoleLogging.ParseFormat, ConsoleLogging.FormatRule, o => o.LogFormat, (o, v) => o with { LogFormat = v }),
        One("LogLevel", "--log-level", "LEVEL", "Information", "Verbose, Debug, Information, Warning, Error, Fatal",
            ConsoleLogging.ParseLevel, ConsoleLogging.LevelRule, o => o.LogLevel, (o, v) => o with { LogLevel = v }),
        One("ApiTokenFile", "--api-token-file", "PATH", null,
            "file holding the read token: search, tail, labels, download (or set Collector__ApiToken); re-read when it changes",
            t => (true, t.Length > 0 ? t : null), "a file path", o => o.ApiTokenFile, (o, v) => o with { ApiTokenFile = v }),

        // No switch on purpose: the process list shows switches, so the token comes from the environment or a file.
        new("ApiToken", null, "TOKEN", null, "the read token itself, for the environment (Collector__ApiToken)",
            (reader, o) => o with { ApiToken = reader.Get<string?>("ApiToken", o.ApiToken, t => (true, t.Length > 0 ? t : null), "a token") },
            o => o.ApiToken),
        One("AdminTokenFile", "--admin-token-file", "PATH", null,
            "file holding the admin token: reads and relay changes (or set Collector__AdminToken); re-read when it changes",
            t => (true, t.Length > 0 ? t : null), "a file path", o => o.AdminTokenFile, (o, v) => o with { AdminTokenFile = v }),
        new("AdminToken", null, "TOKEN", null, "the admin token itself, for the environment (Collector__AdminToken)",
            (reader, o) => o with { AdminToken = reader.Get<string?>("AdminToken", o.AdminToken, t => (true, t.Length > 0 ? t : null), "a token") },
            o => o.AdminToken),
        One("MaxTails", "--max-tails", "N", "100", "live tails served at once; more get 429",
            t => ConfigValue.ParseInt(t, 1, 10_000), "a whole number from 1 to 10000", o => o.MaxTails, (o, v) => o with { MaxTails = v }),
        One("MaxFollow", "--max-follow", "DURATION", "1h", "how long one live tail follows before it ends (clients reconnect)",
            t => ConfigValue.ParseDuration(t) is (true, var d) && d > TimeSpan.Zero ? (true, d) : (false, default),
            "a duration such as 1h (not 0)", o => o.MaxFollow, (o, v) => o with { MaxFollow = v }),
        One("QueryTimeout", "--query-timeout", "DURATION", "30s", "time budget of one search page; past it the page ends early with a cursor",
            t => ConfigValue.ParseDuration(t) is (true, var d) && d > TimeSpan.Zero ? (true, d) : (false, default),
            "a duration such as 30s (not 0)", o => o.QueryTimeout, (o, v) => o with { QueryTimeout = v }),
        One("Relays", "--relays", "DIR", null,
            "relay directory: one logforwarder document (YAML or JSON) per file, e.g. the log-forwarders ConfigMap; " +
            "reloaded on change",
            ParseDirectory, "a directory (or a path where one can be created), or empty for none", o => o.Relays, (o, v) => o with { Relays = v }),
        One("RelaySpill", "--relay-spill", "DIR", "relay-spill next to the messages file",
            "segment files of relays with spill: disk, one directory per relay",
            ParseDirectory, "a directory (or a path where one can be created)",
            o => o.RelaySpill, (o, v) => o with { RelaySpill = v }) with { DefaultIsDescribed = true },
    ];

    /// <summary>
    /// A setting with one value: read with <paramref name="parse"/>, reported as <c>Collector:Key must be
    /// <paramref name="rule"/>, was 'x'</c>.
    /// </summary>
    private static Setting<CollectorOptions> One<T>(
        string key,
        string? name,
        string value,
        string? fallback,
        string help,
        Func<string, (bool Ok, T Value)> parse,
        string rule,
        Func<CollectorOptions, T> get,
        Func<CollectorOptions, T, CollectorOptions> set) =>
        new(key, name, value, fallback, help, (reader, o) => set(o, reader.Get(key, get(o), parse, rule)), o => get(o));

    /// <summary>
    /// A list: repeated keys (<c>Key:0</c>, <c>Key:1</c>, … or a repeated switch), each item also a comma list.
    /// </summary>
    private static Setting<CollectorOptions> Many(
        string key,
        string name,
        string value,
        string? fallback,
        string help,
        Func<CollectorOptions, IReadOnlyList<string>> get,
        Func<CollectorOptions, IReadOnlyList<string>, CollectorOptions> set) =>
        new(key, name, value, fallback, help, (reader, o) => reader.GetList(key, get(o), Item) is var items && ReferenceEquals(items, get(o))
            ? o
            : set(o, [.. items.SelectMany(SplitComma)]), o => get(o))
        {
            Repeatable = true,
        };

    /// <summary>
    /// Each comma-separated part looks like a name pattern or a fingerprint; TlsOptionsRules checks it for the mode.
    /// </summary>
    private static (bool, string, string?) Item(string text) =>
        SplitComma(text).All(p => p.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '*' or ':'))
            ? (true, text, null)
            : (false, text, "must be DNS name patterns (node1.example, *.nodes.example) or fingerprints (SHA256:AA:BB:...)");

    /// <summary>
    /// A file that exists now: a Secret not mounted yet is a start error, not a listener without TLS.
    /// </summary>
    private static (bool, string?) ParseFile(string text) => text.Length == 0 ? (true, null) : (File.Exists(text), text);

    private static IEnumerable<string> SplitComma(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static (bool, TlsClientAuth?) ParseClientAuth(string text) => text.ToLowerInvariant() switch
    {
        "" => (true, null),
        "none" or "anon" => (true, TlsClientAuth.None),
        "certvalid" or "x509/certvalid" => (true, TlsClientAuth.CertValid),
        "name" or "x509/name" => (true, TlsClientAuth.Name),
        "fingerprint" or "x509/fingerprint" => (true, TlsClientAuth.Fingerprint),
        _ => (false, null),
    };

    private static (bool, IdentityMismatch) ParseMismatch(string text) => text.ToLowerInvariant() switch
    {
        "mark" => (true, IdentityMismatch.Mark),
        "reject" => (true, IdentityMismatch.Reject),
        _ => (false, default),
    };

    private static (bool, long) Size(string text, long min, long max) =>
        ConfigValue.TryParseSize(text, min, max, out long v) ? (true, v) : (false, 0L);

    private static (bool, RelpAckAfter) ParseAckAfter(string text) => text.ToLowerInvariant() switch
    {
        "write" => (true, RelpAckAfter.Write),
        "fsync" => (true, RelpAckAfter.Fsync),
        _ => (false, default),
    };

    private static (bool, LineFormat) ParseFormat(string text) => text.ToLowerInvariant() switch
    {
        "file" => (true, LineFormat.File),
        "traditional" => (true, LineFormat.Traditional),
        "rfc5424" => (true, LineFormat.Rfc5424),
        _ => (false, default),
    };

    /// <summary>A directory, or a path where one can be created: nothing on the way to it may be a file.</summary>
    private static (bool, string?) ParseDirectory(string text)
    {
        if (text.Length == 0)
        {
            return (true, null);
        }

        for (string? path = Path.GetFullPath(text); !string.IsNullOrEmpty(path); path = Path.GetDirectoryName(path))
        {
            if (Directory.Exists(path))
            {
                return (true, text);
            }

            if (File.Exists(path))
            {
                return (false, null);
            }
        }

        return (true, text);
    }
}
