namespace Collector.Storage;

/// <summary>
/// The labels a stored line carries: SD params of the Kubernetes identity and of the pod's metadata, and header
/// fields. The first <see cref="LogLabels.Count"/> have fixed names; <see cref="PodLabel"/> stands for every label
/// named after a pod label (<see cref="PodLabelName"/>), told apart by name.
/// </summary>
public enum LogLabel
{
    Namespace,
    Pod,
    Container,
    Host,
    App,
    Severity,

    /// <summary>The owner workload the Forwarder adds (<c>workload="Deployment/payments"</c>).</summary>
    Workload,

    /// <summary>A pod label (<c>l.KEY</c> params): not a fixed label, never in <see cref="LogLabels.Names"/>.</summary>
    PodLabel,
}

public static class LogLabels
{
    /// <summary>The fixed labels: <see cref="LogLabel"/> values below <see cref="LogLabel.PodLabel"/>.</summary>
    public const int Count = 7;

    /// <summary>Names as the query language and the JSON use them, indexed by <see cref="LogLabel"/>.</summary>
    public static readonly IReadOnlyList<string> Names = ["namespace", "pod", "container", "host", "app", "severity", "workload"];

    /// <summary>rsyslog's severity names, indexed by the RFC 5424 code (0 emerg … 7 debug).</summary>
    public static readonly IReadOnlyList<string> SeverityNames = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"];

    public static bool TryParse(string name, out LogLabel label)
    {
        for (int i = 0; i < Count; i++)
        {
            if (Names[i] == name)
            {
                label = (LogLabel)i;
                return true;
            }
        }

        label = default;
        return false;
    }

    /// <summary>
    /// Every non-empty label of a line's <see cref="StoredLine.LabelStrings"/>: the fixed ones in
    /// <see cref="LogLabel"/> order, then the pod labels by name.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string>> Pairs(string[] labels)
    {
        for (int i = 0; i < Math.Min(Count, labels.Length); i++)
        {
            if (labels[i].Length > 0)
            {
                yield return new(Names[i], labels[i]);
            }
        }

        for (int i = Count; i + 1 < labels.Length; i += 2)
        {
            yield return new(labels[i], labels[i + 1]);
        }
    }

    /// <summary>
    /// The code of a severity name (rsyslog's, plus the aliases people type: error, warn, panic) or digit.
    /// </summary>
    public static int SeverityCode(ReadOnlySpan<char> name) => name switch
    {
        "emerg" or "panic" or "emergency" or "0" => 0,
        "alert" or "1" => 1,
        "crit" or "critical" or "2" => 2,
        "err" or "error" or "3" => 3,
        "warning" or "warn" or "4" => 4,
        "notice" or "5" => 5,
        "info" or "informational" or "6" => 6,
        "debug" or "7" => 7,
        _ => -1,
    };

    /// <summary>The code of a stored severity name (<c>info</c> in <c>local0.info</c>), or -1.</summary>
    public static int SeverityCode(ReadOnlySpan<byte> name) => name switch
    {
        [(byte)'e', (byte)'m', ..] => 0,
        [(byte)'a', ..] => 1,
        [(byte)'c', ..] => 2,
        [(byte)'e', (byte)'r', ..] => 3,
        [(byte)'w', ..] => 4,
        [(byte)'n', ..] => 5,
        [(byte)'i', ..] => 6,
        [(byte)'d', ..] => 7,
        _ => -1,
    };
}
