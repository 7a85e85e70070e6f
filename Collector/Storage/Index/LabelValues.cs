using System.Text;

namespace Collector.Storage.Index;

/// <summary>
/// The distinct label values of one file, each with a 16-bit id. "" (label missing) is a value like any other for the
/// fixed labels, so a block can be skipped for <c>container!=""</c> too; a pod label has no "" (a line without it is
/// not recorded). Past <see cref="MaxValues"/> values new ones get no id and the block records an overflow for that
/// label instead. Pod labels are bounded apart (<see cref="MaxPodLabelNames"/> names,
/// <see cref="MaxPodLabelValues"/> values), so a file with many of them leaves room for the fixed labels.
/// For each value it also keeps which value of every other label the lines holding it carry, when that is always the
/// same one (<see cref="CompanionOf"/>): in Kubernetes a pod name gives its namespace, container, host and app, so a
/// metric over one pod's streams can be counted from the index's per-value counts.
/// </summary>
public sealed class LabelValues
{
    public const int MaxValues = ushort.MaxValue;

    /// <summary>Distinct pod label names a file's index holds (a bit each in the builder's per-line mask).</summary>
    public const int MaxPodLabelNames = 64;

    /// <summary>Distinct pod label values (of all names together) a file's index holds.</summary>
    public const int MaxPodLabelValues = 16_384;

    /// <summary><see cref="CompanionOf"/> when lines holding the value differ on that label.</summary>
    public const int Several = -2;

    private const int Unset = -1;

    private readonly List<(LogLabel Label, int Name, string Value, byte[] Utf8)> _values = [];
    private readonly Dictionary<int, List<ushort>> _byHash = [];
    private readonly List<(string Name, byte[] Utf8)> _podNames = [];
    private int _podValues;

    // Per value id, LogLabels.Count entries: the companion value id, Unset or Several. Replaced, never shrunk, when
    // it grows: a reader holding the old array sees what was true of the lines it can see.
    private int[] _companions = [];

    public int Count => _values.Count;

    public int PodLabelNameCount => _podNames.Count;

    /// <summary>The query-language name of the pod label with name index <paramref name="index"/>.</summary>
    public string PodLabelNameAt(int index) => _podNames[index].Name;

    public LogLabel LabelOf(int id) => _values[id].Label;

    /// <summary>The label's name in the query language: a fixed one, or the pod label's.</summary>
    public string NameOf(int id) =>
        _values[id].Label == LogLabel.PodLabel ? _podNames[_values[id].Name].Name : LogLabels.Names[(int)_values[id].Label];

    public string ValueOf(int id) => _values[id].Value;

    public ReadOnlySpan<byte> Utf8Of(int id) => _values[id].Utf8;

    /// <summary>
    /// The id of the value of <paramref name="label"/> on every line indexed so far that holds value
    /// <paramref name="id"/>, or <see cref="Several"/> (lines differ, or one had a value without an id).
    /// </summary>
    public int CompanionOf(int id, LogLabel label)
    {
        var companions = Volatile.Read(ref _companions);
        int at = (id * LogLabels.Count) + (int)label;
        return at < companions.Length && companions[at] >= 0 ? companions[at] : Several;
    }

    /// <summary>Records one line's value ids, indexed by label (-1 where the dictionary was full).</summary>
    public void Observe(ReadOnlySpan<int> ids)
    {
        var companions = EnsureCompanions(_values.Count);
        for (int l = 0; l < ids.Length; l++)
        {
            if (ids[l] < 0)
            {
                continue;
            }

            var row = companions.AsSpan(ids[l] * LogLabels.Count, LogLabels.Count);
            for (int other = 0; other < ids.Length; other++)
            {
                int now = ids[other] < 0 ? Several : ids[other];
                row[other] = row[other] == Unset || row[other] == now ? now : Several;
            }
        }
    }

    /// <summary>For saving: every value's companions, <see cref="LogLabels.Count"/> per value.</summary>
    public ReadOnlySpan<int> Companions() => EnsureCompanions(_values.Count).AsSpan(0, _values.Count * LogLabels.Count);

    /// <summary>For loading: the companions saved with the values.</summary>
    public void LoadCompanions(int[] companions)
    {
        if (companions.Length != _values.Count * LogLabels.Count || companions.Any(c => c < Several || c >= _values.Count))
        {
            throw new InvalidDataException("bad label value companions");
        }

        Volatile.Write(ref _companions, companions);
    }

    private int[] EnsureCompanions(int values)
    {
        if (_companions.Length >= values * LogLabels.Count)
        {
            return _companions;
        }

        var grown = new int[Math.Max(values, _companions.Length / LogLabels.Count * 2) * LogLabels.Count];
        _companions.CopyTo(grown, 0);
        grown.AsSpan(_companions.Length).Fill(Unset);
        Volatile.Write(ref _companions, grown);
        return grown;
    }

    /// <summary>The id of a fixed label's value, adding it; -1 when the dictionary is full.</summary>
    public int GetOrAdd(LogLabel label, ReadOnlySpan<byte> value) => GetOrAdd(label, -1, value);

    /// <summary>
    /// The index (below <see cref="MaxPodLabelNames"/>) of a pod label name, adding it when <paramref name="add"/>; -1
    /// when it is not there and cannot be added.
    /// </summary>
    public int PodLabelNameIndex(ReadOnlySpan<byte> name, bool add)
    {
        for (int i = 0; i < _podNames.Count; i++)
        {
            if (_podNames[i].Utf8.AsSpan().SequenceEqual(name))
            {
                return i;
            }
        }

        if (!add || _podNames.Count >= MaxPodLabelNames)
        {
            return -1;
        }

        _podNames.Add((Encoding.ASCII.GetString(name), name.ToArray()));
        return _podNames.Count - 1;
    }

    /// <summary>The id of a value of the pod label with name index <paramref name="name"/>; -1 when full.</summary>
    public int GetOrAddPodLabel(int name, ReadOnlySpan<byte> value) => GetOrAdd(LogLabel.PodLabel, name, value);

    /// <summary>For loading: appends a fixed label's value read from disk.</summary>
    public void Add(LogLabel label, string value)
    {
        int before = _values.Count;
        Added(before, GetOrAdd(label, Encoding.UTF8.GetBytes(value)));
    }

    /// <summary>For loading: appends a pod label's value read from disk.</summary>
    public void AddPodLabel(string name, string value)
    {
        int index = PodLabelNameIndex(Encoding.UTF8.GetBytes(name), add: true);
        if (index < 0 || value.Length == 0)
        {
            throw new InvalidDataException("bad pod label in index");
        }

        int before = _values.Count;
        Added(before, GetOrAddPodLabel(index, Encoding.UTF8.GetBytes(value)));
    }

    /// <summary>A value read from disk must be new: ids are positions in the saved list.</summary>
    private static void Added(int before, int id)
    {
        if (id != before)
        {
            throw new InvalidDataException("duplicate label value in index");
        }
    }

    private int GetOrAdd(LogLabel label, int name, ReadOnlySpan<byte> value)
    {
        int hash = Hash(label, name, value);
        if (_byHash.TryGetValue(hash, out var ids))
        {
            foreach (ushort id in ids)
            {
                var (l, n, _, bytes) = _values[id];
                if (l == label && n == name && bytes.AsSpan().SequenceEqual(value))
                {
                    return id;
                }
            }
        }

        bool pod = label == LogLabel.PodLabel;
        if (_values.Count >= MaxValues || (pod && _podValues >= MaxPodLabelValues))
        {
            return -1;
        }

        int added = _values.Count;
        _values.Add((label, name, Encoding.UTF8.GetString(value), value.ToArray()));
        _podValues += pod ? 1 : 0;
        if (ids is null)
        {
            _byHash[hash] = ids = new List<ushort>(1);
        }

        ids.Add((ushort)added);
        return added;
    }

    private static int Hash(LogLabel label, int name, ReadOnlySpan<byte> value)
    {
        var hash = default(HashCode);
        hash.Add((int)label);
        hash.Add(name);
        hash.AddBytes(value);
        return hash.ToHashCode();
    }
}
