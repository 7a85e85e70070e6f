using Collector.Storage;

namespace Collector.Search;

/// <summary>The non-empty values of each label seen in a time range: fixed labels, pod labels by name.</summary>
public sealed class LabelValueSets
{
    private readonly HashSet<string>[] _fixed = [.. Enumerable.Range(0, LogLabels.Count).Select(_ => new HashSet<string>(StringComparer.Ordinal))];

    public Dictionary<string, HashSet<string>> PodLabels { get; } = new(StringComparer.Ordinal);

    public HashSet<string> this[LogLabel label] => _fixed[(int)label];

    /// <summary>The names of the labels with a value: fixed ones and pod labels, unordered.</summary>
    public IEnumerable<string> Names =>
        Enumerable.Range(0, LogLabels.Count).Where(l => _fixed[l].Count > 0).Select(l => LogLabels.Names[l]).Concat(PodLabels.Keys);

    public bool IsEmpty => _fixed.All(v => v.Count == 0) && PodLabels.Count == 0;

    /// <summary>The values of the label called <paramref name="name"/> (fixed or pod label); none if unknown.</summary>
    public IReadOnlyCollection<string> Of(string name) =>
        LogLabels.TryParse(name, out var label) ? _fixed[(int)label] : PodLabels.TryGetValue(name, out var values) ? values : [];

    public void Add(LogLabel label, string name, string value)
    {
        if (value.Length == 0)
        {
            return;
        }

        if (label != LogLabel.PodLabel)
        {
            _fixed[(int)label].Add(value);
        }
        else if (PodLabels.TryGetValue(name, out var values))
        {
            values.Add(value);
        }
        else
        {
            PodLabels[name] = new HashSet<string>(StringComparer.Ordinal) { value };
        }
    }

    /// <summary>Every label of a line (its <see cref="StoredLine.LabelStrings"/>).</summary>
    public void AddLine(string[] labels)
    {
        for (int i = 0; i < LogLabels.Count; i++)
        {
            Add((LogLabel)i, LogLabels.Names[i], labels[i]);
        }

        for (int i = LogLabels.Count; i + 1 < labels.Length; i += 2)
        {
            Add(LogLabel.PodLabel, labels[i], labels[i + 1]);
        }
    }
}
