namespace Collector.Storage.Index;

/// <summary>
/// How many lines of a block carry each of its label values, split by severity: what lets the histogram of
/// <c>{pod="x"}</c> be counted from the index instead of reading the block (a pod's lines are spread over most blocks,
/// so skipping blocks alone does not help there). Packed for memory, one or two bytes per value for most values: for
/// each value of <see cref="IndexBlock.Values"/>, in that order, one entry per severity it occurs with. An entry is a
/// byte: bit 7 set when another entry of the same value follows, bits 3–6 the severity (0–7, 8 unknown), bits 0–2 the
/// count 1–7, or 0 when the count follows as a 7-bit varint.
/// </summary>
public static class SeverityCounts
{
    /// <summary>Severity codes 0–7, then lines without a known severity.</summary>
    public const int Severities = 9;

    private const byte More = 0x80;

    /// <summary>
    /// Packs <paramref name="counts"/>[id * <see cref="Severities"/> + severity] for each id, in order.
    /// </summary>
    public static byte[] Encode(IReadOnlyList<ushort> ids, int[] counts)
    {
        var packed = new List<byte>(ids.Count * 2);
        foreach (ushort id in ids)
        {
            int last = -1;
            for (int s = 0; s < Severities; s++)
            {
                if (counts[(id * Severities) + s] > 0)
                {
                    last = s;
                }
            }

            if (last < 0)
            {
                throw new ArgumentException($"value {id} has no line", nameof(counts));
            }

            for (int s = 0; s <= last; s++)
            {
                int count = counts[(id * Severities) + s];
                if (count == 0)
                {
                    continue;
                }

                byte head = (byte)((s == last ? 0 : More) | (s << 3) | (count <= 7 ? count : 0));
                packed.Add(head);
                if (count > 7)
                {
                    for (uint rest = (uint)count; ; rest >>= 7)
                    {
                        packed.Add((byte)((rest & 0x7F) | (rest > 0x7F ? 0x80u : 0u)));
                        if (rest <= 0x7F)
                        {
                            break;
                        }
                    }
                }
            }
        }

        return [.. packed];
    }

    /// <summary>
    /// Walks the entries of a block in value order. Checks the shape as it goes: damaged counts are
    /// <see cref="InvalidDataException"/>, never a wrong number.
    /// </summary>
    public ref struct Reader(ReadOnlySpan<byte> packed)
    {
        private readonly ReadOnlySpan<byte> _packed = packed;
        private int _at;

        public readonly bool End => _at >= _packed.Length;

        /// <summary>
        /// The next entry; <paramref name="lastOfValue"/> says the following one belongs to the next value.
        /// </summary>
        public void Next(out int severity, out int count, out bool lastOfValue)
        {
            byte head = Take();
            severity = (head >> 3) & 0x0F;
            lastOfValue = (head & More) == 0;
            count = head & 0x07;
            if (count == 0)
            {
                int shift = 0;
                byte b;
                do
                {
                    b = Take();
                    count |= (b & 0x7F) << shift;
                    shift += 7;
                }
                while ((b & 0x80) != 0 && shift < 28);
                if ((b & 0x80) != 0 || count <= 7)
                {
                    throw new InvalidDataException("bad severity count");
                }
            }

            if (severity >= Severities)
            {
                throw new InvalidDataException("bad severity in the counts");
            }
        }

        /// <summary>
        /// Adds the value's counts by severity to <paramref name="sums"/> and moves to the next value.
        /// </summary>
        public void AddValue(scoped Span<long> sums)
        {
            bool last;
            do
            {
                Next(out int severity, out int count, out last);
                sums[severity] += count;
            }
            while (!last);
        }

        /// <summary>Moves past one value's entries.</summary>
        public void SkipValue()
        {
            bool last;
            do
            {
                Next(out _, out _, out last);
            }
            while (!last);
        }

        private byte Take() => _at < _packed.Length ? _packed[_at++] : throw new InvalidDataException("severity counts end early");
    }

    /// <summary>
    /// Checks counts read from disk against the block: one run of entries per value, and for each label whose values
    /// all got an id the counts add up to the block's lines (every line has exactly one value of every label).
    /// </summary>
    public static void Validate(byte[] packed, IndexBlock block, LabelValues labels)
    {
        Span<long> perLabel = stackalloc long[LogLabels.Count];
        Span<long> sums = stackalloc long[Severities];
        var reader = new Reader(packed);
        foreach (ushort id in block.Values)
        {
            sums.Clear();
            reader.AddValue(sums);
            // A pod label is on some lines only: its counts need not add up to the block's lines.
            int label = (int)labels.LabelOf(id);
            foreach (long s in sums)
            {
                if (label < LogLabels.Count)
                {
                    perLabel[label] += s;
                }
            }
        }

        if (!reader.End)
        {
            throw new InvalidDataException("severity counts for more values than the block has");
        }

        for (int l = 0; l < perLabel.Length; l++)
        {
            if ((block.Overflow & (1 << l)) == 0 && perLabel[l] != block.Lines)
            {
                throw new InvalidDataException("severity counts do not add up to the block's lines");
            }
        }
    }
}
