using System.Net;
using Forwarder.Multiline;
using Forwarder.RateLimiting;
using Serilog.Events;
using Shared.Syslog;
using Shared.Transport;

namespace Forwarder.Configuration;

/// <summary>
/// Validated settings of one Forwarder process, read from the <c>Forwarder</c> configuration section by
/// <see cref="ForwarderOptionsReader"/>. Defaults are a node's: tail <c>/var/log/containers/*.log</c>, ship to a
/// Collector on loopback, keep offsets in <c>./data/forwarder-state</c>.
/// </summary>
public sealed record ForwarderOptions
{
    public const string Section = "Forwarder";

    /// <summary>Absolute globs of the files to tail; <c>**</c> matches any number of directories.</summary>
    public IReadOnlyList<string> Include { get; init; } = ["/var/log/containers/*.log"];

    /// <summary>Globs of files not to tail, matched against the path and every symlink hop to the real file.</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>Kubernetes namespaces whose container logs are not shipped.</summary>
    public IReadOnlyList<string> ExcludeNamespaces { get; init; } = [];

    /// <summary>
    /// Globs on pod names whose logs are not shipped. The defaults are kube-syslog's own pods: shipping their output
    /// would feed every line the Collector logs about a line back into it.
    /// </summary>
    public IReadOnlyList<string> ExcludePods { get; init; } = ["log-forwarder-*", "log-collector-*"];

    /// <summary>Where to ship, in order of preference: the next is tried when one fails.</summary>
    public IReadOnlyList<TargetUri> Targets { get; init; } = [TargetUri.Parse("tcp://127.0.0.1:5514")];

    /// <summary>
    /// tls:// and relp+tls:// targets: PEM bundle of the CAs the receiver's certificate must chain to; null trusts the
    /// system store.
    /// </summary>
    public string? TlsCa { get; init; }

    /// <summary>The client certificate (PEM, intermediates after it) for receivers that require one.</summary>
    public string? TlsCert { get; init; }

    /// <summary>The unencrypted PEM private key of <see cref="TlsCert"/>.</summary>
    public string? TlsKey { get; init; }

    /// <summary>The name the receiver's certificate must carry (and SNI); null: the target's host.</summary>
    public string? TlsServerName { get; init; }

    /// <summary>The TLS settings every tls:// and relp+tls:// target uses.</summary>
    public SyslogTlsOptions ClientTls() => new() { CaFile = TlsCa, CertificateFile = TlsCert, KeyFile = TlsKey, ServerName = TlsServerName };

    /// <summary>
    /// The window against our own Collector when <see cref="RelpWindowSize"/> is auto: it drops re-sent messages by
    /// their origin, so the duplicates a wide window would cost after a broken session never reach its files, and
    /// librelp's 128 keeps the pair round-trip bound (docs/relp-sending.md, "The window").
    /// </summary>
    public const int CollectorRelpWindowSize = 1024;

    /// <summary>
    /// relp:// targets: messages sent and not yet acknowledged, at most. Null (auto):
    /// <see cref="CollectorRelpWindowSize"/> to a receiver that names itself kube-syslog, librelp's 128 to others.
    /// </summary>
    public int? RelpWindowSize { get; init; }

    /// <summary>
    /// Longest wait between attempts to reach a target; the wait doubles (with jitter) from 200 ms up to this.
    /// </summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Shipping counts as stalled, and /readyz answers 503, once lines have waited this long with none delivered.
    /// </summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Checkpoints (file identity → offset) live here.</summary>
    public string State { get; init; } = Path.Combine(".", "data", "forwarder-state");

    /// <summary>
    /// HOSTNAME of every message: the node (Kubernetes downward API NODE_NAME), else this machine's name.
    /// </summary>
    public string Node { get; init; } = Environment.GetEnvironmentVariable("NODE_NAME") is { Length: > 0 } node ? node : Dns.GetHostName();

    /// <summary>HTTP endpoint for /healthz, /readyz and /metrics; null disables it.</summary>
    public IPEndPoint? Http { get; init; } = new(IPAddress.Loopback, 8084);

    /// <summary>Where to start in files that exist at the very first start (no checkpoints yet).</summary>
    public StartPosition StartAt { get; init; } = StartPosition.Beginning;

    /// <summary>Longest message kept whole (after reassembly); longer ones are cut and marked.</summary>
    public int MaxLineSize { get; init; } = 256 * 1024;

    /// <summary>Bytes of encoded messages waiting for the network before reading files pauses.</summary>
    public long QueueSize { get; init; } = 8L * 1024 * 1024;

    /// <summary>How often checkpoints are saved (after the lines were written to the socket).</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Full rescan of the include globs; inotify wakes the scan sooner.</summary>
    public TimeSpan ScanInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a CRI "P" fragment (or docker line without "\n") waits for the rest before it is sent as is.
    /// </summary>
    public TimeSpan PartialFlushTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A file renamed away or deleted is read for this long after its end before it is closed (late writes).
    /// </summary>
    public TimeSpan RotateWait { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How lines of one stream are joined into events (stack traces): <c>auto</c> (every preset), <c>off</c>, presets,
    /// or a user's expression; for containers no <see cref="MultilineRules"/> entry matches.
    /// </summary>
    public MultilineSpec Multiline { get; init; } = MultilineSpec.Auto;

    /// <summary>Per-container joining, by namespace/pod[/container] glob; the first match wins.</summary>
    public IReadOnlyList<MultilinePodRule> MultilineRules { get; init; } = [];

    /// <summary>
    /// Lines per period each pod's files are read at most (its <c>kube-syslog.io/rate-limit</c> annotation wins); over
    /// it, the files wait unread. Off by default.
    /// </summary>
    public RateLimit RateLimitPod { get; init; } = RateLimit.Off;

    /// <summary>Lines per period the pods of one namespace are read at most, together. Off by default.</summary>
    public RateLimit RateLimitNamespace { get; init; } = RateLimit.Off;

    /// <summary>An event of more lines is sent in parts of this many.</summary>
    public int MultilineMaxLines { get; init; } = 500;

    /// <summary>An event is sent this long after its last line when no next line decided it.</summary>
    public TimeSpan MultilineFlushTimeout { get; init; } = TimeSpan.FromSeconds(1);

    public Facility Facility { get; init; } = Facility.User;

    public Severity StdoutSeverity { get; init; } = Severity.Informational;

    public Severity StderrSeverity { get; init; } = Severity.Error;

    /// <summary>SD-ID of the Kubernetes element; 32473 is the documentation enterprise number of RFC 5612.</summary>
    public string StructuredDataId { get; init; } = "k8s@32473";

    /// <summary>UDP targets: longer messages are cut to this many bytes and counted.</summary>
    public int MaxDatagramSize { get; init; } = 2048;

    /// <summary>
    /// Where pod labels, owners and annotations come from (docs/kubernetes-metadata.md): the API server when running
    /// in a cluster with a service-account token (KUBERNETES_SERVICE_HOST set and the token mounted, as the client
    /// library's <c>IsInCluster</c> decides), else nothing.
    /// </summary>
    public MetadataSourceKind MetadataSource { get; init; } =
        Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST") is { Length: > 0 }
            && File.Exists("/var/run/secrets/kubernetes.io/serviceaccount/token")
            ? MetadataSourceKind.ApiServer
            : MetadataSourceKind.Off;

    /// <summary>The API server's URL; null: https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT.</summary>
    public Uri? KubeUrl { get; init; }

    /// <summary>PEM CAs the API server's certificate must chain to; null: the service account's ca.crt.</summary>
    public string? KubeCaFile { get; init; }

    /// <summary>Bearer token file, read again whenever it changes; null: the service account's token.</summary>
    public string? KubeTokenFile { get; init; }

    /// <summary>The node whose pods are listed and watched; null: <see cref="Node"/>.</summary>
    public string? KubeNodeName { get; init; }

    /// <summary>Pod label keys shipped with every line of the pod, each as <c>l.KEY</c>.</summary>
    public IReadOnlyList<string> PodLabels { get; init; } =
        ["app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component", "app", "k8s-app"];

    /// <summary>How long a new file's lines wait for its pod's metadata before they go without it.</summary>
    public TimeSpan MetadataWait { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A deleted pod's metadata is kept this long, so its last lines still carry it.</summary>
    public TimeSpan MetadataGrace { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Pods kept in the metadata cache at most; deleted ones go first.</summary>
    public int MetadataCacheSize { get; init; } = 10_000;

    /// <summary>The kubelet's pods endpoint (<c>--metadata-source kubelet</c>); null:
    /// https://$NODE_IP:10250/pods.</summary>
    public Uri? KubeletUrl { get; init; }

    /// <summary>PEM CAs the kubelet's serving certificate must chain to; null: the service account's ca.crt.</summary>
    public string? KubeletCaFile { get; init; }

    /// <summary>Accept any certificate from the kubelet (its self-signed default); the token is sent anyway.</summary>
    public bool KubeletInsecureTls { get; init; }

    /// <summary>How often the kubelet's pods are fetched (a pod not known yet makes a fetch sooner).</summary>
    public TimeSpan KubeletPoll { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Namespace label keys shipped with every line of the namespace's pods, each as <c>n.KEY</c>; empty:
    /// namespaces are not read.</summary>
    public IReadOnlyList<string> NamespaceLabels { get; init; } = [];

    /// <summary><c>text</c> or <c>json</c> (one JSON object per line, for containers).</summary>
    public string LogFormat { get; init; } = "text";

    public LogEventLevel LogLevel { get; init; } = LogEventLevel.Information;
}

public enum MetadataSourceKind
{
    Off,
    ApiServer,
    Kubelet,
}

public enum StartPosition
{
    Beginning,
    End,
}
