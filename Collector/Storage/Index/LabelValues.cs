using System.Text;

namespace Collector.Storage.Index;

/// <summary>
/// The distinct label values of one file, each with a 16-bit id. "" (label missing) is a value like any other, so a
/// block can be skipped for <c>container!=""</c> too. Past <see cref="MaxValues"/> values new ones get no id and the
/// block records an overflow for that label instead.
/// For each value it also keeps which value of every other label the lines holding it carry, when that is always the
/// same one (<see cref="CompanionOf"/>): in Kubernetes a pod name gives its namespace, container, host and app, so a
/// metric over one pod's streams can be counted from the index's per-value counts.
/// </summary>
public sealed class LabelValues
{
    public const int MaxValues = ushort.MaxValue;

    /// <summary><see cref="CompanionOf"/> when lines holding the value differ on that label.</summary>
    public const int Several = -2;

    private const int Unset = -1;

    private readonly List<(LogLabel Label, string Value, byte[] Utf8)> _values = [];
    private readonly Dictionary<int, List<ushort>> _byHash = [];

    // Per value id, LogLabels.Count entries: the companion value id, Unset or Several. Replaced, never shrunk, when
    // it grows: a reader holding the old array sees what was true of the lines it can see.
    private int[] _companions = [];

    public int Count => _values.Count;

    public LogLabel LabelOf(int id) => _values[id].Label;

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

    /// <summary>The id of a value, adding it; -1 when the dictionary is full.</summary>
    public int GetOrAdd(LogLabel label, ReadOnlySpan<byte> value)
    {
        int hash = Hash(label, value);
        if (_byHash.TryGetValue(hash, out var ids))
        {
            foreach (ushort id in ids)
            {
                var (l, _, bytes) = _values[id];
                if (l == label && bytes.AsSpan().SequenceEqual(value))
                {
                    return id;
                }
            }
        }

        if (_values.Count >= MaxValues)
        {
            return -1;
        }

        int added = _values.Count;
        _values.Add((label, Encoding.UTF8.GetString(value), value.ToArray()));
        if (ids is null)
        {
            _byHash[hash] = ids = new List<ushort>(1);
        }

        ids.Add((ushort)added);
        return added;
    }

    /// <summary>For loading: appends a value read from disk.</summary>
    public void Add(LogLabel label, string value)
    {
        int id = GetOrAdd(label, Encoding.UTF8.GetBytes(value));
        if (id != _values.Count - 1)
        {
            throw new InvalidDataException("duplicate label value in index");
        }
    }

    private static int Hash(LogLabel label, ReadOnlySpan<byte> value)
    {
        var hash = default(HashCode);
        hash.Add((int)label);
        hash.AddBytes(value);
        return hash.ToHashCode();
    }
}
