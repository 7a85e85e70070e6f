namespace Collector.Storage.Index;

/// <summary>
/// One block of a messages file (about <see cref="FileIndex.BlockSize"/> bytes of whole lines): where it is, the
/// range of its line timestamps, which label values occur in it (ids into the file's <see cref="LabelValues"/>) and on
/// how many lines, by severity.
/// </summary>
public sealed class IndexBlock(long offset, int length, int lines, long minTime, long maxTime, ushort[] values, byte overflow, byte[] counts)
{
    /// <summary>Offset of the first byte, in the uncompressed text.</summary>
    public long Offset => offset;

    public int Length => length;

    public long End => offset + length;

    public int Lines => lines;

    /// <summary>Smallest and largest line timestamp (Unix ns; 0 for a line without one).</summary>
    public long MinTime => minTime;

    public long MaxTime => maxTime;

    /// <summary>Sorted ids of the label values in this block.</summary>
    public ushort[] Values => values;

    /// <summary>
    /// Bit per label whose values did not all fit the dictionary: the block cannot be skipped on that label.
    /// </summary>
    public byte Overflow => overflow;

    /// <summary>Lines per value and severity, packed (<see cref="SeverityCounts"/>).</summary>
    public byte[] Counts => counts;
}
