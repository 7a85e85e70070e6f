using Forwarder.Discovery;
using Forwarder.Multiline;
using Forwarder.RateLimiting;
using Shared.Configuration;
using Shared.Hosting;
using Shared.Syslog;

namespace Forwarder.Configuration;

/// <summary>
/// Every setting of the Forwarder, declared once: <see cref="ForwarderOptionsReader"/> reads them,
/// <see cref="CommandLine"/> makes the switches and <c>--help</c> of them, and tests check docs/forwarder.md's table,
/// the manifests' keys and <see cref="ForwarderOptions"/>' defaults against them. A new setting is a property of the
/// options and one entry here.
/// </summary>
public static class ForwarderSettings
{
    private const string Duration = "a duration such as 500ms, 1s or 2m";
    private const string SeverityRule = "a severity name (info, err, warning, …) or number 0-7";

    public static readonly IReadOnlyList<Setting<ForwarderOptions>> All =
    [
        Many("Include", "--include", "GLOB", "/var/log/containers/*.log", "absolute glob of files to tail, ** for any depth",
            Glob, o => o.Include, (o, v) => o with { Include = v }),
        Many("Exclude", "--exclude", "GLOB", null, "glob of files not to tail, matched on the path and every symlink hop",
            Glob, o => o.Exclude, (o, v) => o with { Exclude = v }),
        Many("ExcludeNamespaces", "--exclude-namespace", "NAME", null, "Kubernetes namespace not to ship",
            Name, o => o.ExcludeNamespaces, (o, v) => o with { ExcludeNamespaces = v }),
        Many("ExcludePods", "--exclude-pod", "GLOB", "log-forwarder-*, log-collector-*", "pod name glob not to ship",
            Name, o => o.ExcludePods, (o, v) => o with { ExcludePods = v }),
        Many("Targets", "--to", "URI", "tcp://127.0.0.1:5514",
            "relp://HOST:PORT (acknowledged: offsets saved only once the receiver answered; port defaults to 2514), " +
            "tcp://HOST:PORT (octet counting), tcp+lf://… or udp://…, tls://HOST:PORT (RFC 5425, port 6514) or " +
            "relp+tls://HOST:PORT (port 2514); several fail over in order",
            t => TargetUri.TryParse(t, out var target, out string? why) ? (true, target, null) : (false, target, why),
            o => o.Targets, (o, v) => o with { Targets = v }),
        One("TlsCa", "--tls-ca", "FILE", null, "TLS targets: PEM CAs the receiver's certificate must chain to, instead of the system store",
            FilePath, "a file path", o => o.TlsCa, (o, v) => o with { TlsCa = v }),
        One("TlsCert", "--tls-cert", "FILE", null, "TLS targets: client certificate (PEM) for receivers that require one; with --tls-key",
            FilePath, "a file path", o => o.TlsCert, (o, v) => o with { TlsCert = v }),
        One("TlsKey", "--tls-key", "FILE", null, "TLS targets: unencrypted PEM private key of --tls-cert",
            FilePath, "a file path", o => o.TlsKey, (o, v) => o with { TlsKey = v }),
        One("TlsServerName", "--tls-server-name", "NAME", null, "TLS targets: name the receiver's certificate must carry, instead of the host",
            t => t.Length == 0 ? (true, null) : (Uri.CheckHostName(t) != UriHostNameType.Unknown, t), "a DNS name or an IP address",
            o => o.TlsServerName, (o, v) => o with { TlsServerName = v }),
        One("RelpWindowSize", "--relp-window", "N|auto", "auto",
            "relp:// targets: messages sent and not yet acknowledged, at most; auto: 1024 to a kube-syslog Collector " +
            "(it drops re-sends, so a wide window costs no duplicates), 128 (librelp's) to other receivers",
            t => t.Equals("auto", StringComparison.OrdinalIgnoreCase) ? (true, null)
                : ConfigValue.ParseInt(t, 1, 65536) is (true, var n) ? (true, n) : (false, (int?)null),
            "auto or a whole number from 1 to 65536", o => o.RelpWindowSize, (o, v) => o with { RelpWindowSize = v }),
        One("MaxRetryDelay", "--max-retry-delay", "DURATION", "10s", "longest wait between attempts to reach a target; it doubles from 200ms",
            t => ConfigValue.ParseDuration(t) is (true, var d)
                && d >= TimeSpan.FromMilliseconds(200) && d <= TimeSpan.FromDays(1)
                ? (true, d)
                : (false, default),
            "a duration from 200ms to 1d",
            o => o.MaxRetryDelay, (o, v) => o with { MaxRetryDelay = v }),
        One("StallTimeout", "--stall-timeout", "DURATION", "5m",
            "/readyz answers 503 once lines have waited this long with nothing delivered (no target takes them)",
            t => ConfigValue.ParseDuration(t) is (true, var d)
                && d >= TimeSpan.FromSeconds(1) && d <= TimeSpan.FromDays(1)
                ? (true, d)
                : (false, default),
            "a duration from 1s to 1d",
            o => o.StallTimeout, (o, v) => o with { StallTimeout = v }),
        One("State", "--state", "DIR", "./data/forwarder-state", "checkpoint directory",
            t => (t.Length > 0, t), "a directory path", o => o.State, (o, v) => o with { State = v }),
        One("Node", "--node", "NAME", "$NODE_NAME, else the host name", "HOSTNAME of every message",
            t => (t.Length > 0, t), "a node name", o => o.Node, (o, v) => o with { Node = v }) with { DefaultIsDescribed = true },
        One("Http", "--http", "HOST:PORT", "127.0.0.1:8084", "HTTP endpoint: /healthz, /readyz, /metrics; port 0 picks one; empty disables",
            ConfigValue.ParseEndpoint,
            "HOST:PORT (an IP address, localhost or *, and a port 0-65535) or empty to disable",
            o => o.Http, (o, v) => o with { Http = v }),
        One("StartAt", "--start-at", "beginning|end", "beginning", "where to start in files found at the very first start, with no checkpoints",
            t => Enum.TryParse(t, ignoreCase: true, out StartPosition p) && !char.IsAsciiDigit(t[0])
                ? (true, p)
                : (false, default),
            "beginning or end",
            o => o.StartAt, (o, v) => o with { StartAt = v }),
        One("MaxLineSize", "--max-line-size", "SIZE", "256KiB", "longest message kept whole after reassembly; longer ones are cut and marked",
            t => ConfigValue.TryParseSize(t, 1024, 64L << 20, out long v) ? (true, (int)v) : (false, 0),
            "a size from 1KiB to 64MiB",
            o => o.MaxLineSize, (o, v) => o with { MaxLineSize = v }),
        One("QueueSize", "--queue-size", "SIZE", "8MiB", "encoded bytes waiting for the network before file reading pauses",
            t => ConfigValue.TryParseSize(t, 256 * 1024, 4L << 30, out long v) ? (true, v) : (false, 0L),
            "a size from 256KiB to 4GiB",
            o => o.QueueSize, (o, v) => o with { QueueSize = v }),
        One("CheckpointInterval", "--checkpoint-interval", "DURATION", "500ms",
            "save offsets this often, only for lines already written to the socket",
            Positive, Duration, o => o.CheckpointInterval, (o, v) => o with { CheckpointInterval = v }),
        One("ScanInterval", "--scan-interval", "DURATION", "1s", "rescan the include globs this often; inotify wakes it sooner",
            Positive, Duration, o => o.ScanInterval, (o, v) => o with { ScanInterval = v }),
        One("PartialFlushTimeout", "--partial-flush-timeout", "DURATION", "5s", "send a CRI P fragment without its end after this long",
            Positive, Duration, o => o.PartialFlushTimeout, (o, v) => o with { PartialFlushTimeout = v }),
        One("RotateWait", "--rotate-wait", "DURATION", "5s", "keep reading a renamed or deleted file this long after its end before closing it",
            ConfigValue.ParseDuration, "a duration such as 5s or 0", o => o.RotateWait, (o, v) => o with { RotateWait = v }),
        new("Multiline", "--multiline", "auto|off|PRESET[,PRESET…]", "auto",
            "join the lines of one event (stack traces): presets java, python, go, node, dotnet, ruby, auto = all; "
            + "or start:REGEX, continuation:REGEX",
            (reader, o) => o with { Multiline = reader.GetList("Multiline", [o.Multiline], MultilineSpecOf) is [.., var last] ? last : o.Multiline },
            o => o.Multiline),
        Many("MultilineRules", "--multiline-rule", "NS/POD[/CONTAINER]=SPEC", null,
            "joining for containers matching the globs, as --multiline takes it (shop/web-*=java); first match wins",
            t => MultilinePodRule.TryParse(t, out var rule, out string? why) ? (true, rule!, null) : (false, rule!, why),
            o => o.MultilineRules, (o, v) => o with { MultilineRules = v }),
        One("MultilineMaxLines", "--multiline-max-lines", "N", "500", "an event with more lines is sent in parts",
            t => ConfigValue.ParseInt(t, 2, 100_000), "a whole number from 2 to 100000",
            o => o.MultilineMaxLines, (o, v) => o with { MultilineMaxLines = v }),
        One("MultilineFlushTimeout", "--multiline-flush-timeout", "DURATION", "1s",
            "send an event this long after its last line when no next line came",
            Positive, Duration, o => o.MultilineFlushTimeout, (o, v) => o with { MultilineFlushTimeout = v }),
        One("RateLimitPod", "--rate-limit-pod", "RATE", "off",
            "read each pod's files at most this fast (500/s, 30000/m, 500/s,burst=2000); over it lines wait in the file; "
            + "a pod's kube-syslog.io/rate-limit annotation wins",
            RateLimitOf, RateLimit.Rule, o => o.RateLimitPod, (o, v) => o with { RateLimitPod = v }),
        One("RateLimitNamespace", "--rate-limit-namespace", "RATE", "off",
            "read the files of each namespace's pods together at most this fast; over it lines wait in the files",
            RateLimitOf, RateLimit.Rule, o => o.RateLimitNamespace, (o, v) => o with { RateLimitNamespace = v }),
        One("Facility", "--facility", "NAME", "user", "syslog facility (name or 0-23)",
            ParseFacility, "a facility name (user, daemon, local0 … local7, …) or number 0-23",
            o => o.Facility, (o, v) => o with { Facility = v }),
        One("StdoutSeverity", "--stdout-severity", "NAME", "info", "severity of stdout lines",
            ParseSeverity, SeverityRule, o => o.StdoutSeverity, (o, v) => o with { StdoutSeverity = v }),
        One("StderrSeverity", "--stderr-severity", "NAME", "err", "severity of stderr lines",
            ParseSeverity, SeverityRule, o => o.StderrSeverity, (o, v) => o with { StderrSeverity = v }),
        One("StructuredDataId", "--sd-id", "SD-ID", "k8s@32473", "SD-ID of the Kubernetes element",
            t => (IsSdId(t), t), "an SD-ID: name@enterprise-number, 1-32 printable characters without '=', ']', '\"' or space",
            o => o.StructuredDataId, (o, v) => o with { StructuredDataId = v }),
        One("MaxDatagramSize", "--max-datagram-size", "N", "2048", "UDP targets: cut longer messages to N bytes, counted",
            t => ConfigValue.ParseInt(t, 480, 65507), "a whole number from 480 to 65507",
            o => o.MaxDatagramSize, (o, v) => o with { MaxDatagramSize = v }),
        One("MetadataSource", "--metadata-source", "apiserver|kubelet|off", "apiserver in a pod with a service-account token, else off",
            "pod labels, owner workload and annotations from the Kubernetes API server or the node's kubelet (docs/kubernetes-metadata.md)",
            ParseMetadataSource, "apiserver, kubelet or off",
            o => o.MetadataSource, (o, v) => o with { MetadataSource = v }) with { DefaultIsDescribed = true },
        One("KubeUrl", "--kube-url", "URL", "https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT", "the API server's URL",
            t => t.Length == 0
                ? (true, null)
                : Uri.TryCreate(t, UriKind.Absolute, out var u) && u.Scheme is "https" or "http" ? (true, u) : (false, null),
            "an http:// or https:// URL", o => o.KubeUrl, (o, v) => o with { KubeUrl = v }) with { DefaultIsDescribed = true },
        One("KubeCaFile", "--kube-ca-file", "FILE", "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt",
            "PEM CAs the API server's certificate must chain to",
            FilePath, "a file path", o => o.KubeCaFile, (o, v) => o with { KubeCaFile = v }) with { DefaultIsDescribed = true },
        One("KubeTokenFile", "--kube-token-file", "FILE", "/var/run/secrets/kubernetes.io/serviceaccount/token",
            "bearer token for the API server, read again when it changes",
            FilePath, "a file path", o => o.KubeTokenFile, (o, v) => o with { KubeTokenFile = v }) with { DefaultIsDescribed = true },
        One("KubeNodeName", "--node-name", "NAME", "--node", "the node whose pods are watched (spec.nodeName)",
            t => (true, t.Length == 0 ? null : t), "a node name", o => o.KubeNodeName, (o, v) => o with { KubeNodeName = v })
            with { DefaultIsDescribed = true },
        One("PodLabels", "--pod-labels", "KEY[,KEY…]",
            "app.kubernetes.io/name,app.kubernetes.io/instance,app.kubernetes.io/component,app,k8s-app",
            "pod labels sent with each line as l.KEY; empty for none",
            ParseLabelKeys, "label keys separated by commas, each at most 30 characters of letters, digits, '.', '-', '_' and '/'",
            o => o.PodLabels, (o, v) => o with { PodLabels = v }),
        One("MetadataWait", "--metadata-wait", "DURATION", "2s", "a new pod's lines wait this long for its metadata, then go without",
            ConfigValue.ParseDuration, "a duration such as 2s or 0", o => o.MetadataWait, (o, v) => o with { MetadataWait = v }),
        One("MetadataGrace", "--metadata-grace", "DURATION", "5m", "keep a deleted pod's metadata this long for its last lines",
            ConfigValue.ParseDuration, "a duration such as 5m or 0", o => o.MetadataGrace, (o, v) => o with { MetadataGrace = v }),
        One("MetadataCacheSize", "--metadata-cache-size", "N", "10000", "pods kept in the metadata cache at most",
            t => ConfigValue.ParseInt(t, 16, 1_000_000), "a whole number from 16 to 1000000",
            o => o.MetadataCacheSize, (o, v) => o with { MetadataCacheSize = v }),
        One("KubeletUrl", "--kubelet-url", "URL", "https://$NODE_IP:10250/pods", "--metadata-source kubelet: the kubelet's pods endpoint",
            t => t.Length == 0
                ? (true, null)
                : Uri.TryCreate(t, UriKind.Absolute, out var u) && u.Scheme is "https" or "http" ? (true, u) : (false, null),
            "an http:// or https:// URL", o => o.KubeletUrl, (o, v) => o with { KubeletUrl = v }) with { DefaultIsDescribed = true },
        One("KubeletCaFile", "--kubelet-ca-file", "FILE", "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt",
            "PEM CAs the kubelet's serving certificate must chain to",
            FilePath, "a file path", o => o.KubeletCaFile, (o, v) => o with { KubeletCaFile = v }) with { DefaultIsDescribed = true },
        One("KubeletInsecureTls", "--kubelet-insecure-tls", "true|false", "false",
            "accept the kubelet's self-signed serving certificate without checking it (as metrics-server's switch)",
            t => bool.TryParse(t, out bool b) ? (true, b) : (false, false), "true or false",
            o => o.KubeletInsecureTls, (o, v) => o with { KubeletInsecureTls = v }),
        One("KubeletPoll", "--kubelet-poll", "DURATION", "10s", "fetch the kubelet's pods this often (and soon after a line of an unknown pod)",
            t => ConfigValue.ParseDuration(t) is (true, var d) && d >= TimeSpan.FromSeconds(1) && d <= TimeSpan.FromHours(1)
                ? (true, d)
                : (false, default),
            "a duration from 1s to 1h", o => o.KubeletPoll, (o, v) => o with { KubeletPoll = v }),
        One("NamespaceLabels", "--namespace-labels", "KEY[,KEY…]", null, "namespace labels sent with each line as n.KEY; empty: none",
            ParseLabelKeys, "label keys separated by commas, each at most 30 characters of letters, digits, '.', '-', '_' and '/'",
            o => o.NamespaceLabels, (o, v) => o with { NamespaceLabels = v }),
        One("LogFormat", "--log-format", "text|json", "text", "format of the Forwarder's own log on stdout",
            ConsoleLogging.ParseFormat, ConsoleLogging.FormatRule, o => o.LogFormat, (o, v) => o with { LogFormat = v }),
        One("LogLevel", "--log-level", "LEVEL", "Information", "Verbose, Debug, Information, Warning, Error, Fatal",
            ConsoleLogging.ParseLevel, ConsoleLogging.LevelRule, o => o.LogLevel, (o, v) => o with { LogLevel = v }),
    ];

    /// <summary>
    /// A setting with one value: read with <paramref name="parse"/>, reported as
    /// <c>Forwarder:Key must be <paramref name="rule"/>, was 'x'</c>.
    /// </summary>
    private static Setting<ForwarderOptions> One<T>(
        string key,
        string? name,
        string value,
        string? fallback,
        string help,
        Func<string, (bool Ok, T Value)> parse,
        string rule,
        Func<ForwarderOptions, T> get,
        Func<ForwarderOptions, T, ForwarderOptions> set) =>
        new(key, name, value, fallback, help, (reader, o) => set(o, reader.Get(key, get(o), parse, rule)), o => get(o));

    /// <summary>
    /// A list (<c>Key:0</c>, <c>Key:1</c>, … or a repeated switch); each bad item is reported by its own key.
    /// </summary>
    private static Setting<ForwarderOptions> Many<T>(
        string key,
        string name,
        string value,
        string? fallback,
        string help,
        Func<string, (bool Ok, T Value, string? Why)> parse,
        Func<ForwarderOptions, IReadOnlyList<T>> get,
        Func<ForwarderOptions, IReadOnlyList<T>, ForwarderOptions> set) =>
        new(key, name, value, fallback, help, (reader, o) => set(o, reader.GetList(key, get(o), parse)), o => get(o)) { Repeatable = true };

    private static (bool, string, string?) Glob(string text)
    {
        try
        {
            GlobPattern.Parse(text);
            return (true, text, null);
        }
        catch (ArgumentException e)
        {
            return (false, text, $"must be an absolute glob ({e.Message})");
        }
    }

    private static (bool, RateLimit) RateLimitOf(string text) =>
        RateLimit.TryParse(text, out var limit, out _) ? (true, limit) : (false, RateLimit.Off);

    private static (bool, MultilineSpec, string?) MultilineSpecOf(string text) =>
        MultilineSpec.TryParse(text, out var spec, out string? why) ? (true, spec, null) : (false, spec, why);

    // Empty (e.g. an empty environment variable) leaves the file unset; whether it loads is checked with the targets.
    private static (bool, string?) FilePath(string text) => (true, text.Length == 0 ? null : text);

    private static (bool, string, string?) Name(string text) => (text.Length > 0, text, "must not be empty");

    private static (bool, TimeSpan) Positive(string text)
    {
        var (ok, value) = ConfigValue.ParseDuration(text);
        return (ok && value > TimeSpan.Zero, value);
    }

    private static readonly string[] FacilityNames =
        ["kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp", "ntp", "audit", "alert", "clock",
         "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"];

    private static readonly string[] SeverityNames = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"];

    private static (bool, Facility) ParseFacility(string text)
    {
        int index = ConfigValue.ParseInt(text, 0, 23) is (true, int n) ? n : Array.IndexOf(FacilityNames, text.ToLowerInvariant());
        if (index < 0 && Enum.TryParse(text, ignoreCase: true, out Facility named) && !char.IsAsciiDigit(text[0]))
        {
            index = (int)named;
        }

        return index >= 0 ? (true, (Facility)index) : (false, default);
    }

    private static (bool, Severity) ParseSeverity(string text)
    {
        string lower = text.ToLowerInvariant();
        int index = ConfigValue.ParseInt(text, 0, 7) is (true, int n) ? n : Array.IndexOf(SeverityNames, lower switch
        {
            "error" => "err",
            "warn" => "warning",
            "critical" => "crit",
            "emergency" => "emerg",
            "informational" or "information" => "info",
            _ => lower,
        });
        return index >= 0 ? (true, (Severity)index) : (false, default);
    }

    private static (bool, MetadataSourceKind) ParseMetadataSource(string text) => text.ToLowerInvariant() switch
    {
        "apiserver" => (true, MetadataSourceKind.ApiServer),
        "kubelet" => (true, MetadataSourceKind.Kubelet),
        "off" => (true, MetadataSourceKind.Off),
        _ => (false, default),
    };

    // A label key is [prefix/]name (DNS subdomain / 63 characters); "l." + key must stay an SD-NAME (≤ 32,
    // RFC 5424 §6.3.2).
    private static (bool, IReadOnlyList<string>) ParseLabelKeys(string text)
    {
        string[] keys = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        bool ok = keys.All(k => k.Length <= 30 && k.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '/'));
        return (ok, keys);
    }

    // RFC 5424 §6.3.2: SD-NAME is 1-32 PRINTUSASCII except '=', SP, ']' and '"'.
    private static bool IsSdId(string text) =>
        text.Length is > 0 and <= 32 && text.All(c => c is > ' ' and <= '~' and not '=' and not ']' and not '"');
}
