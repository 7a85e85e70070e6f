using System.Security.Cryptography;
using System.Text;

namespace Collector.Storage.Index;

/// <summary>
/// The index of one messages file: its blocks in file order and the dictionary of label values. Blocks only get
/// appended (the last, partial one is rebuilt when the file grows), under <see cref="Sync"/>; readers take a
/// <see cref="Snapshot"/>. Saved as a small binary file with a SHA-256 trailer, so a damaged one is noticed and
/// rebuilt.
/// </summary>
public sealed class FileIndex(FileKey key)
{
    public const int BlockSize = 64 * 1024;

    /// <summary>
    /// Version 03 added <c>workload</c> and the pod labels, 04 the namespace labels (<c>n.KEY</c> params, same layout):
    /// an index of an older version lacks them, so it is rebuilt from the text (<see cref="IsOlderVersion"/>).
    /// </summary>
    private static readonly byte[] Magic = "KSIDX04\n"u8.ToArray();

    private readonly List<IndexBlock> _blocks = [];
    private IndexBlock[] _snapshot = [];

    public FileKey Key => key;

    public LabelValues Labels { get; private set; } = new();

    public object Sync { get; } = new();

    /// <summary>Bytes covered: the end of the last block (whole lines only).</summary>
    public long End => _blocks.Count == 0 ? 0 : _blocks[^1].End;

    /// <summary>
    /// Hash of the last (up to) 256 bytes before <see cref="End"/>, to notice a file rewritten under the index.
    /// </summary>
    public ulong TailHash { get; set; }

    /// <summary>The whole (no longer growing, compressed) file is indexed.</summary>
    public bool Complete { get; set; }

    public bool Dirty { get; set; }

    public long SavedAt { get; set; }

    public IReadOnlyList<IndexBlock> Blocks => _blocks;

    public IndexBlock[] Snapshot() => Volatile.Read(ref _snapshot);

    public void Add(IndexBlock block)
    {
        _blocks.Add(block);
        Dirty = true;
    }

    /// <summary>
    /// Drops a last block smaller than <see cref="BlockSize"/> so the builder can refill it; returns where to go on.
    /// </summary>
    public long ReopenLastBlock()
    {
        if (_blocks.Count > 0 && _blocks[^1].Length < BlockSize)
        {
            _blocks.RemoveAt(_blocks.Count - 1);
        }

        return End;
    }

    public void Publish() => Volatile.Write(ref _snapshot, [.. _blocks]);

    public void Clear()
    {
        _blocks.Clear();
        Labels = new LabelValues();
        TailHash = 0;
        Complete = false;
        Dirty = true;
        Publish();
    }

    public byte[] Serialize()
    {
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(key.PrefixLength);
            w.Write(key.Hash);
            w.Write(TailHash);
            w.Write(Complete);
            w.Write(Labels.Count);
            for (int i = 0; i < Labels.Count; i++)
            {
                var label = Labels.LabelOf(i);
                w.Write((byte)label);
                if (label == LogLabel.PodLabel)
                {
                    w.Write(Labels.NameOf(i));
                }

                w.Write(Labels.ValueOf(i));
            }

            foreach (int companion in Labels.Companions())
            {
                w.Write(companion);
            }

            w.Write(_blocks.Count);
            foreach (var b in _blocks)
            {
                w.Write(b.Offset);
                w.Write(b.Length);
                w.Write(b.Lines);
                w.Write(b.MinTime);
                w.Write(b.MaxTime);
                w.Write(b.Overflow);
                w.Write(b.Values.Length);
                foreach (ushort id in b.Values)
                {
                    w.Write(id);
                }

                w.Write(b.Counts.Length);
                w.Write(b.Counts);
            }
        }

        buffer.Write(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
        return buffer.ToArray();
    }

    /// <summary>An index file of an earlier version of the Collector (a KSIDX magic other than this one's).</summary>
    public static bool IsOlderVersion(ReadOnlySpan<byte> data) =>
        data.Length >= Magic.Length && data.StartsWith("KSIDX"u8) && data[..Magic.Length].SequenceCompareTo(Magic) < 0;

    /// <summary>
    /// Reads a saved index; throws <see cref="InvalidDataException"/> when it is damaged or for another file.
    /// </summary>
    public static FileIndex Deserialize(byte[] data, FileKey expected)
    {
        if (data.Length < Magic.Length + 32 || !data.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new InvalidDataException(data.AsSpan().StartsWith("KSIDX"u8) ? "written by another version of the Collector" : "not an index file");
        }

        if (!SHA256.HashData(data.AsSpan(0, data.Length - 32)).AsSpan().SequenceEqual(data.AsSpan(data.Length - 32)))
        {
            throw new InvalidDataException("checksum mismatch");
        }

        using var r = new BinaryReader(new MemoryStream(data, Magic.Length, data.Length - 32 - Magic.Length), Encoding.UTF8);
        var key = new FileKey(r.ReadInt32(), r.ReadUInt64());
        if (key != expected)
        {
            throw new InvalidDataException("the index is for another file");
        }

        var index = new FileIndex(key) { TailHash = r.ReadUInt64(), Complete = r.ReadBoolean() };
        int values = r.ReadInt32();
        for (int i = 0; i < values; i++)
        {
            var label = (LogLabel)r.ReadByte();
            if (label == LogLabel.PodLabel)
            {
                index.Labels.AddPodLabel(r.ReadString(), r.ReadString());
                continue;
            }

            if ((int)label >= LogLabels.Count)
            {
                throw new InvalidDataException("bad label");
            }

            index.Labels.Add(label, r.ReadString());
        }

        var companions = new int[values * LogLabels.Count];
        for (int i = 0; i < companions.Length; i++)
        {
            companions[i] = r.ReadInt32();
        }

        index.Labels.LoadCompanions(companions);

        int blocks = r.ReadInt32();
        long expectedOffset = 0;
        for (int i = 0; i < blocks; i++)
        {
            long offset = r.ReadInt64();
            int length = r.ReadInt32();
            int lines = r.ReadInt32();
            long min = r.ReadInt64();
            long max = r.ReadInt64();
            byte overflow = r.ReadByte();
            var ids = new ushort[r.ReadInt32()];
            for (int j = 0; j < ids.Length; j++)
            {
                ids[j] = r.ReadUInt16();
                if (ids[j] >= values)
                {
                    throw new InvalidDataException("bad value id");
                }
            }

            int packed = r.ReadInt32();
            if (packed < 0 || packed > length * 2L)
            {
                throw new InvalidDataException("bad severity counts length");
            }

            byte[] counts = r.ReadBytes(packed);
            if (offset != expectedOffset || length <= 0)
            {
                throw new InvalidDataException("blocks are not contiguous");
            }

            expectedOffset = offset + length;
            var block = new IndexBlock(offset, length, lines, min, max, ids, overflow, counts);
            SeverityCounts.Validate(counts, block, index.Labels);
            index._blocks.Add(block);
        }

        index.Publish();
        return index;
    }
}
