using Shared.Configuration;

namespace Forwarder.Configuration;

/// <summary>
/// The command-line switches, made by System.CommandLine from <see cref="ForwarderSettings.All"/>: each maps to one
/// configuration key, so a switch, an environment variable and <c>appsettings.json</c> set the same thing, switches
/// winning.
/// </summary>
public static class CommandLine
{
    private static readonly SwitchCommand Command = new(
        ForwarderOptions.Section,
        "kube-syslog Forwarder: tails container logs (docker json-file, CRI) and other files on a node and ships\n"
            + "every line as RFC 5424 syslog with its Kubernetes namespace, pod and container, to one or more collectors.",
        [.. ForwarderSettings.All
            .Where(s => s.Switch is not null)
            .Select(s => new CommandLineSwitch(s.Switch!, s.Key, s.Value, s.HelpLine, s.Repeatable))],
        Epilogue());

    /// <summary>One switch per setting that has one, in the order of <see cref="ForwarderSettings.All"/>.</summary>
    public static IReadOnlyList<CommandLineSwitch> Switches => Command.Switches;

    /// <summary>
    /// Turns switches into <c>Forwarder:Key</c> configuration entries, or explains the first bad argument.
    /// </summary>
    public static bool TryParse(IReadOnlyList<string> args, out Dictionary<string, string?> values, out bool help, out string? error) =>
        Command.TryParse(args, out values, out help, out error);

    public static string HelpText() => Command.HelpText();

    private static string Epilogue()
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine("Messages: <PRI>1 TIME NODE CONTAINER - stdout|stderr [k8s@32473 namespace=\"…\" pod=\"…\" container=\"…\"");
        text.AppendLine("container_id=\"…\" pod_uid=\"…\"] MSG, TIME being the container runtime's own time stamp. A message cut at");
        text.AppendLine("--max-line-size carries [kube-syslog@32473 truncated=\"ORIGINAL-BYTES\"].");
        text.AppendLine();
        text.AppendLine("Every switch is also a configuration key under \"Forwarder\": appsettings.json next to the executable");
        text.AppendLine("({\"Forwarder\": {\"Targets\": [\"tcp://log-collector:514\"]}}), or the environment " +
            "(Forwarder__State=/var/lib/kube-syslog,");
        text.AppendLine("Forwarder__Targets__0=tcp://log-collector:514). Switches win over the environment, which wins over the file;");
        text.AppendLine("a repeated switch replaces the list items with the same positions.");
        text.AppendLine("SIZE: bytes, or with a unit: 64KiB, 8MiB (also k, m, KB, MB as powers of 1024). DURATION: 500ms, 30s, 10m.");
        text.AppendLine();
        text.AppendLine("Files: STATE/checkpoints.json (file identity = device, inode and a fingerprint of the first bytes → offset).");
        text.AppendLine("HTTP: GET /healthz (alive), GET /readyz (first scan done, shipping not stalled), GET /metrics (Prometheus text).");
        text.AppendLine("Exit codes: 0 after a clean stop (SIGTERM/SIGINT: queued lines sent when possible, offsets saved), 1 on bad");
        text.AppendLine("configuration or an HTTP port that cannot be bound.");
        return text.ToString();
    }
}
