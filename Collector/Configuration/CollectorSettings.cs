using Collector.Observability;
using Collector.Storage;
using Shared.Configuration;

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
        One("Http", "--http", "HOST:PORT", "127.0.0.1:8083", "HTTP endpoint: search and tail API, /healthz, /readyz, /metrics; port 0 picks one",
            ConfigValue.ParseEndpoint, Endpoint, o => o.Http, (o, v) => o with { Http = v }),
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
        One("ApiTokenFile", "--api-token-file", "PATH", null, "file holding the bearer token /api and /v1 require (or set Collector__ApiToken)",
            t => (true, t.Length > 0 ? t : null), "a file path", o => o.ApiTokenFile, (o, v) => o with { ApiTokenFile = v }),

        // No switch on purpose: the process list shows switches, so the token comes from the environment or a file.
        new("ApiToken", null, "TOKEN", null, "the bearer token itself, for the environment (Collector__ApiToken)",
            (reader, o) => o with { ApiToken = reader.Get<string?>("ApiToken", o.ApiToken, t => (true, t.Length > 0 ? t : null), "a token") },
            o => o.ApiToken),
        One("MaxTails", "--max-tails", "N", "100", "live tails served at once; more get 429",
            t => ConfigValue.ParseInt(t, 1, 10_000), "a whole number from 1 to 10000", o => o.MaxTails, (o, v) => o with { MaxTails = v }),
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
