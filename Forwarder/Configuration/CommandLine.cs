using System.Text;
using Shared.Configuration;

namespace Forwarder.Configuration;

/// <summary>
/// The command-line switches: each maps to one configuration key, so a switch, an environment variable
/// (<c>Forwarder__State</c>) and <c>appsettings.json</c> set the same thing, switches winning.
/// </summary>
public static class CommandLine
{
    public static readonly IReadOnlyList<CommandLineSwitch> Switches =
    [
        new("--include", "Include", "GLOB", "absolute glob of files to tail, ** for any depth (repeatable; default /var/log/containers/*.log)", Repeatable: true),
        new("--exclude", "Exclude", "GLOB", "glob of files not to tail, matched on the path and every symlink hop (repeatable)", Repeatable: true),
        new("--exclude-namespace", "ExcludeNamespaces", "NAME", "Kubernetes namespace not to ship (repeatable)", Repeatable: true),
        new("--exclude-pod", "ExcludePods", "GLOB", "pod name glob not to ship (repeatable; default log-forwarder-* log-collector-*)", Repeatable: true),
        new("--to", "Targets", "URI", "relp://HOST:PORT (acknowledged: offsets saved only once the receiver answered; port defaults to 2514), tcp://HOST:PORT (octet counting), tcp+lf://… or udp://…; several fail over in order (repeatable; default tcp://127.0.0.1:5514)", Repeatable: true),
        new("--relp-window", "RelpWindowSize", "N", "relp:// targets: messages sent and not yet acknowledged, at most (default 128, as librelp)"),
        new("--max-retry-delay", "MaxRetryDelay", "DURATION", "longest wait between attempts to reach a target; it doubles from 200ms (default 10s)"),
        new("--state", "State", "DIR", "checkpoint directory (default ./data/forwarder-state)"),
        new("--node", "Node", "NAME", "HOSTNAME of every message (default $NODE_NAME, else this host's name)"),
        new("--http", "Http", "HOST:PORT", "HTTP endpoint: /healthz, /metrics (default 127.0.0.1:8084; port 0 picks one; empty disables)"),
        new("--start-at", "StartAt", "beginning|end", "where to start in files found at the very first start, with no checkpoints (default beginning)"),
        new("--max-line-size", "MaxLineSize", "SIZE", "longest message kept whole after reassembly; longer ones are cut and marked (default 256KiB)"),
        new("--queue-size", "QueueSize", "SIZE", "encoded bytes waiting for the network before file reading pauses (default 8MiB)"),
        new("--checkpoint-interval", "CheckpointInterval", "DURATION", "save offsets this often, only for lines already written to the socket (default 500ms)"),
        new("--scan-interval", "ScanInterval", "DURATION", "rescan the include globs this often; inotify wakes it sooner (default 1s)"),
        new("--partial-flush-timeout", "PartialFlushTimeout", "DURATION", "send a CRI P fragment without its end after this long (default 5s)"),
        new("--rotate-wait", "RotateWait", "DURATION", "keep reading a renamed or deleted file this long after its end before closing it (default 5s)"),
        new("--facility", "Facility", "NAME", "syslog facility (default user)"),
        new("--stdout-severity", "StdoutSeverity", "NAME", "severity of stdout lines (default info)"),
        new("--stderr-severity", "StderrSeverity", "NAME", "severity of stderr lines (default err)"),
        new("--sd-id", "StructuredDataId", "SD-ID", "SD-ID of the Kubernetes element (default k8s@32473)"),
        new("--max-datagram-size", "MaxDatagramSize", "N", "UDP targets: cut longer messages to N bytes, counted (default 2048)"),
        new("--log-format", "LogFormat", "text|json", "format of the Forwarder's own log on stdout (default text)"),
        new("--log-level", "LogLevel", "LEVEL", "Verbose, Debug, Information (default), Warning, Error, Fatal"),
    ];

    /// <summary>Turns switches into <c>Forwarder:Key</c> configuration entries, or explains the first bad argument.</summary>
    public static bool TryParse(IReadOnlyList<string> args, out Dictionary<string, string?> values, out bool help, out string? error) =>
        CommandLineParser.TryParse(args, ForwarderOptions.Section, Switches, out values, out help, out error);

    public static string HelpText()
    {
        var text = new StringBuilder();
        text.AppendLine("kube-syslog Forwarder: tails container logs (docker json-file, CRI) and other files on a node and ships");
        text.AppendLine("every line as RFC 5424 syslog with its Kubernetes namespace, pod and container, to one or more collectors.");
        text.AppendLine();
        text.AppendLine("Usage: Forwarder [switches]");
        text.AppendLine();
        CommandLineParser.AppendSwitches(text, Switches);
        text.AppendLine();
        text.AppendLine("Messages: <PRI>1 TIME NODE CONTAINER - stdout|stderr [k8s@32473 namespace=\"…\" pod=\"…\" container=\"…\"");
        text.AppendLine("container_id=\"…\" pod_uid=\"…\"] MSG, TIME being the container runtime's own time stamp. A message cut at");
        text.AppendLine("--max-line-size carries [kube-syslog@32473 truncated=\"ORIGINAL-BYTES\"].");
        text.AppendLine();
        text.AppendLine("Every switch is also a configuration key under \"Forwarder\": appsettings.json next to the executable");
        text.AppendLine("({\"Forwarder\": {\"Targets\": [\"tcp://log-collector:514\"]}}), or the environment (Forwarder__State=/var/lib/kube-syslog,");
        text.AppendLine("Forwarder__Targets__0=tcp://log-collector:514). Switches win over the environment, which wins over the file;");
        text.AppendLine("a repeated switch replaces the list items with the same positions.");
        text.AppendLine("SIZE: bytes, or with a unit: 64KiB, 8MiB (also k, m, KB, MB as powers of 1024). DURATION: 500ms, 30s, 10m.");
        text.AppendLine();
        text.AppendLine("Delivery: relp:// saves a file's offset only up to the last line the receiver acknowledged (with all before it);");
        text.AppendLine("after a broken session the unacknowledged lines are sent again. A line the receiver refuses (500) is counted");
        text.AppendLine("(kubesyslog_forwarder_target_refused_total), logged and not sent again. tcp:// saves once the bytes are on the socket.");
        text.AppendLine();
        text.AppendLine("Files: STATE/checkpoints.json (file identity = device, inode and a fingerprint of the first bytes → offset).");
        text.AppendLine("HTTP: GET /healthz (alive and shipping), GET /metrics (Prometheus text).");
        text.AppendLine("Exit codes: 0 after a clean stop (SIGTERM/SIGINT: queued lines sent when possible, offsets saved), 1 on bad");
        text.AppendLine("configuration or an HTTP port that cannot be bound.");
        return text.ToString();
    }
}
