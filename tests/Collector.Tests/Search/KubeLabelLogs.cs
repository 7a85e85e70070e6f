using System.Buffers;
using System.Globalization;
using System.Text;
using Collector.Storage;
using Shared.Syslog;

namespace Collector.Tests.Search;

/// <summary>What the Forwarder's metadata put on a line: its owner workload and its pod labels (key, value).</summary>
public sealed record PodMeta(string? Workload, params (string Key, string Value)[] Labels)
{
    public static readonly PodMeta Payments = new(
        "Deployment/payments", ("app.kubernetes.io/name", "payments"), ("app", "pay"), ("k8s-app", "pay \"v2\" ]\\"));

    public static readonly PodMeta Checkout = new(
        "Deployment/checkout", ("app.kubernetes.io/name", "checkout"), ("app.kubernetes.io/instance", "checkout-eu"));

    public static readonly PodMeta Nightly = new("CronJob/nightly", ("app.kubernetes.io/name", "nightly"));

    /// <summary>The labels of the pod's namespace (<c>--namespace-labels</c>), as <c>n.KEY</c> params.</summary>
    public (string Key, string Value)[] NamespaceLabels { get; init; } = [];

    /// <summary>A pod label's value by its query name (<see cref="PodLabelName"/>), "" when the pod has none.</summary>
    public string Label(string name) => Labels.FirstOrDefault(l => PodLabelName.Of("l." + l.Key) == name).Value ?? string.Empty;

    /// <summary>The SD params the Forwarder writes, after the path identity.</summary>
    public string Params() =>
        (Workload is null ? string.Empty : $" workload=\"{Escape(Workload)}\"")
        + string.Concat(Labels.Select(l => $" l.{l.Key}=\"{Escape(l.Value)}\""))
        + string.Concat(NamespaceLabels.Select(l => $" n.{l.Key}=\"{Escape(l.Value)}\""));

    public static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("]", "\\]", StringComparison.Ordinal);
}

/// <summary>A stored line with the metadata it was written with (null: no Kubernetes identity at all).</summary>
public sealed record KubeLine(StoredTestLine Stored, PodMeta? Meta, bool HasIdentity)
{
    public string Line => Stored.Line;
}

/// <summary>
/// Lines as the Collector stores what the Forwarder ships with pod metadata, in the older layout or message-first, and
/// lines without any (a pod before its metadata arrived, a plain syslog sender).
/// </summary>
public static class KubeLabelLogs
{
    private static readonly string[] Severities = ["info", "err", "warning", "debug"];

    /// <summary>Line <paramref name="n"/>; <paramref name="pod"/> null: a syslog line without a pod.</summary>
    public static KubeLine Line(int n, string? pod, PodMeta? meta, bool messageFirst, string? text = null)
    {
        var time = StoredLogs.Start.AddSeconds(n);
        string severity = Severities[n % Severities.Length];
        text ??= string.Create(CultureInfo.InvariantCulture, $"line {n:000000}{(n % 7 == 0 ? " needle" : string.Empty)}");
        string sd = pod is null ? "-" : $"[k8s@32473 namespace=\"shop\" pod=\"{pod}\" container=\"main\"{meta?.Params()}]";
        string line;
        if (messageFirst || pod is null)
        {
            // What the LineFormatter writes for this frame: message-first with an identity, the older layout without.
            int priority = (16 * 8) + LogLabels.SeverityCode(severity.AsSpan());
            byte[] frame = Encoding.UTF8.GetBytes(string.Create(
                CultureInfo.InvariantCulture, $"<{priority}>1 {time:yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'} node-1 app 7 - {sd} {text}"));
            Assert.Equal(OperationStatus.Done, SyslogParser.TryParse(frame, time, out var header, out _));
            var context = new FrameContext("192.0.2.1"u8.ToArray(), time);
            var buffer = new byte[LineFormatter.MaxLineLength(frame.Length, context.Peer.Length)];
            int written = new LineFormatter(LineFormat.File).Write(buffer, frame, header, default, context);
            line = Encoding.UTF8.GetString(buffer, 0, written - 1);
            Assert.Equal(pod is not null, line.Contains('\t', StringComparison.Ordinal));
        }
        else
        {
            line = string.Create(
                CultureInfo.InvariantCulture, $"{time:yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'} node-1 app[7]: local0.{severity} - {sd} {text}");
        }

        var stored = new StoredTestLine(n, time.ToUnixTimeMilliseconds() * 1_000_000, pod ?? string.Empty, severity, line, text);
        return new KubeLine(stored, meta, pod is not null);
    }

    /// <summary>
    /// Three files (<c>.2.gz</c> older layout, <c>.1</c> both layouts line by line, current message-first) of
    /// <paramref name="perFile"/> lines cycling through payments, checkout, nightly, a pod without metadata and a
    /// plain syslog line.
    /// </summary>
    public static List<KubeLine> WriteMixed(StoredLogs logs, int perFile = 600)
    {
        var lines = new List<KubeLine>();
        int n = 0;
        foreach (string suffix in (string[])[".2.gz", ".1", string.Empty])
        {
            var file = new List<KubeLine>();
            for (int i = 0; i < perFile; i++, n++)
            {
                bool messageFirst = suffix.Length == 0 || (suffix == ".1" && i % 2 == 0);
                file.Add((n % 5) switch
                {
                    0 => Line(n, "payments-7d4b9c8f6-x2x9z", PodMeta.Payments, messageFirst),
                    1 => Line(n, "checkout-5f6d7c8b9-q8w2z", PodMeta.Checkout, messageFirst),
                    2 => Line(n, "nightly-29422080-x7k2p", PodMeta.Nightly, messageFirst),
                    3 => Line(n, "web-66b9d-aaaaa", null, messageFirst),
                    _ => Line(n, null, null, messageFirst),
                });
            }

            logs.Write(suffix, file.Select(l => l.Stored));
            lines.AddRange(file);
        }

        return lines;
    }
}
