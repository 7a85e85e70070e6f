namespace Collector.Storage;

/// <summary>The labels a stored line carries: SD params of the Kubernetes identity, and header fields.</summary>
public enum LogLabel
{
    Namespace,
    Pod,
    Container,
    Host,
    App,
    Severity,
}

public static class LogLabels
{
    public const int Count = 6;

    /// <summary>Names as the query language and the JSON use them, indexed by <see cref="LogLabel"/>.</summary>
    public static readonly IReadOnlyList<string> Names = ["namespace", "pod", "container", "host", "app", "severity"];

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
