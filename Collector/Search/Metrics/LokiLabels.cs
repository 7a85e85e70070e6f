using Collector.Storage;

namespace Collector.Search.Metrics;

/// <summary>
/// The label set a stored line has in the Loki API: the stored labels that are not empty, plus <c>level</c> and
/// <c>detected_level</c> derived from the syslog severity, sorted by name (Prometheus' order).
/// </summary>
public static class LokiLabels
{
    public const string Level = "level";
    public const string DetectedLevel = "detected_level";

    /// <summary>
    /// Grafana's names for log levels (packages/grafana-data/src/types/logs.ts: critical, error, warn(ing), info,
    /// debug,
    /// unknown colour the lines and the volume histogram), indexed by the RFC 5424 severity code.
    /// </summary>
    public static readonly IReadOnlyList<string> LevelNames = ["critical", "critical", "critical", "error", "warn", "info", "info", "debug"];

    /// <summary>Every fixed label name the Loki API may show, sorted (pod labels come on top).</summary>
    public static readonly IReadOnlyList<string> Names = [.. LogLabels.Names.Append(Level).Append(DetectedLevel).Order(StringComparer.Ordinal)];

    public static string LevelOf(string severity)
    {
        int code = LogLabels.SeverityCode(severity.AsSpan());
        return code < 0 ? "unknown" : LevelNames[code];
    }

    /// <summary>The labels of a line (its <see cref="StoredLine.LabelStrings"/>).</summary>
    public static KeyValuePair<string, string>[] Of(string[] stored)
    {
        var labels = new List<KeyValuePair<string, string>>(stored.Length + 2);
        labels.AddRange(LogLabels.Pairs(stored));

        string level = LevelOf(stored[(int)LogLabel.Severity]);
        labels.Add(new(Level, level));
        labels.Add(new(DetectedLevel, level));
        labels.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return [.. labels];
    }

    /// <summary>A key that is equal for equal label sets.</summary>
    public static string Key(IReadOnlyList<KeyValuePair<string, string>> labels) =>
        string.Join('\u001f', labels.Select(l => l.Key + "\u001e" + l.Value));
}
