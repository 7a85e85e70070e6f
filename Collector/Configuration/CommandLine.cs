using Shared.Configuration;

namespace Collector.Configuration;

/// <summary>
/// The command-line switches, made by System.CommandLine from <see cref="CollectorSettings.All"/>: each maps to one
/// configuration key, so a switch, an environment variable and <c>appsettings.json</c> set the same thing, switches
/// winning.
/// </summary>
public static class CommandLine
{
    private static readonly SwitchCommand Command = new(
        CollectorOptions.Section,
        "kube-syslog Collector: receives syslog (RFC 5424, RFC 3164) over RELP, TCP and UDP and writes a\n"
            + "/var/log/messages-style file, one message per line, rotated by size.",
        [.. CollectorSettings.All
            .Where(s => s.Switch is not null)
            .Select(s => new CommandLineSwitch(s.Switch!, s.Key, s.Value, s.HelpLine, s.Repeatable))],
        Epilogue());

    /// <summary>One switch per setting that has one, in the order of <see cref="CollectorSettings.All"/>.</summary>
    public static IReadOnlyList<CommandLineSwitch> Switches => Command.Switches;

    /// <summary>
    /// Turns switches into <c>Collector:Key</c> configuration entries, or explains the first bad argument.
    /// </summary>
    public static bool TryParse(IReadOnlyList<string> args, out Dictionary<string, string?> values, out bool help, out string? error) =>
        Command.TryParse(args, out values, out help, out error);

    public static string HelpText() => Command.HelpText();

    private static string Epilogue()
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine("Lines (file format): TIMESTAMP HOSTNAME NAMESPACE/POD/CONTAINER STREAM: MSG<TAB>APP[PROCID]: FACILITY.SEVERITY");
        text.AppendLine("MSGID STRUCTURED-DATA for Kubernetes messages (grep ' shop/web-'); for others TIMESTAMP HOSTNAME APP[PROCID]:");
        text.AppendLine("FACILITY.SEVERITY MSGID STRUCTURED-DATA MSG. Control characters are escaped as #ooo (LF is #012).");
        text.AppendLine("A truncated message carries [kube-syslog@32473 truncated=\"N\"];");
        text.AppendLine("an unparsable one is stored raw after [kube-syslog@32473 unparsed=\"reason\"].");
        text.AppendLine();
        text.AppendLine("Every switch is also a configuration key under \"Collector\": appsettings.json next to the executable");
        text.AppendLine("({\"Collector\": {\"MaxFiles\": 5}}),");
        text.AppendLine("or the environment (Collector__MaxFiles=5). Switches win over the environment, which wins over the file.");
        text.AppendLine("SIZE: bytes, or with a unit: 64KiB, 8MiB, 2GiB (also k, m, g, KB, MB, GB as powers of 1024).");
        text.AppendLine("DURATION: 500ms, 30s, 10m, 1h, or hh:mm:ss.");
        text.AppendLine();
        text.AppendLine("HTTP: GET /healthz (alive), GET /readyz (listeners bound, file writable), GET /metrics (Prometheus text);");
        text.AppendLine("API: /api/v1/query_range, /api/v1/tail (NDJSON or WebSocket), /api/v1/labels, /api/v1/label/NAME/values,");
        text.AppendLine("/v1/log and /v1/download (Gravity); queries are LogQL: {namespace=\"web\", pod=~\"web-.*\"} |= \"error\".");
        text.AppendLine("With tokens (--api-token-file and --admin-token-file, or Collector__ApiToken, Collector__AdminToken)");
        text.AppendLine("/api and /v1 need 'Authorization: Bearer TOKEN': the read token searches, tails and downloads, only the");
        text.AppendLine("admin token changes relays (a read token there gets 403); health, readiness and metrics stay open.");
        text.AppendLine();
        text.AppendLine("TLS (--tls, --relp-tls; docs/security.md): --tls-cert and --tls-key are PEM files, read again every");
        text.AppendLine("--tls-reload-interval (a new pair serves new connections). Client certificates: --tls-client-auth none,");
        text.AppendLine("certvalid (chains to --tls-client-ca), name (SAN DNS or CN matches --tls-permitted-peer, '*' only as the");
        text.AppendLine("whole left-most label) or fingerprint (--tls-permitted-peer SHA256:AA:BB:...). --identity-from-cert stores a");
        text.AppendLine("message whose HOSTNAME is not its certificate's node with [kube-syslog@32473 spoofed=\"true\" peer=\"...\"]");
        text.AppendLine("(or rejects it: --identity-mismatch reject).");
        text.AppendLine("HTTPS (--https, --https-cert, --https-key): the same API, UI and /metrics as --http over TLS, with its own");
        text.AppendLine("PEM pair reloaded like --tls-cert's; --http and --https may both run (--http \"\" leaves HTTPS only).");
        text.AppendLine();
        text.AppendLine("Relays (--relays DIR): each file is one relay, as Gravity's logforwarder resource:");
        text.AppendLine("  kind: logforwarder");
        text.AppendLine("  version: v2");
        text.AppendLine("  metadata: {name: siem}");
        text.AppendLine("  spec: {address: \"siem.example.com:514\", protocol: tcp}");
        text.AppendLine("Optional spec keys: framing (octet-counted|lf), format (rfc5424|rfc3164), filter (a query, e.g.");
        text.AppendLine("'{namespace!=\"kube-system\"}'), queue {maxBytes: 64MiB, spill: none|disk, maxSpillBytes: 1GiB},");
        text.AppendLine("maxDatagramSize (UDP, default 2048), tls {ca, cert, key, serverName, checkServerName}.");
        text.AppendLine("API: GET /api/v1/relays (status), PUT and DELETE /api/v1/relays/NAME, PUT /v1/forwarders (Gravity).");
        text.AppendLine();
        text.AppendLine("Exit codes: 0 after a clean stop (SIGTERM/SIGINT: everything read is written first), 1 on bad configuration");
        text.AppendLine("or a listener that cannot bind. SIGHUP reopens the messages file.");
        return text.ToString();
    }
}
