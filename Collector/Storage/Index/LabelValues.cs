using System.Text;

namespace Collector.Storage.Index;

/// <summary>
/// The distinct label values of one file, each with a 16-bit id. "" (label missing) is a value like any other, so a
/// block can be skipped for <c>container!=""</c> too. Past <see cref="MaxValues"/> values new ones get no id and the
/// block records an overflow for that label instead.
/// </summary>
public sealed class LabelValues
{
    public const int MaxValues = ushort.MaxValue;

    private readonly List<(LogLabel Label, string Value, byte[] Utf8)> _values = [];
    private readonly Dictionary<int, List<ushort>> _byHash = [];

    public int Count => _values.Count;

    public LogLabel LabelOf(int id) => _values[id].Label;

    public string ValueOf(int id) => _values[id].Value;

    public ReadOnlySpan<byte> Utf8Of(int id) => _values[id].Utf8;

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
