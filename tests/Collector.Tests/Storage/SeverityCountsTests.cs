using Collector.Storage;
using Collector.Storage.Index;

namespace Collector.Tests.Storage;

public sealed class SeverityCountsTests
{
    [Fact]
    public void CountsOfEveryWidthRoundTripInValueOrder()
    {
        // Value 0: one line of info; value 1: 7, 8, 127, 128 and 70,000 lines over five severities; value 2: unknown.
        int[] counts = new int[3 * SeverityCounts.Severities];
        counts[6] = 1;
        counts[SeverityCounts.Severities + 0] = 7;
        counts[SeverityCounts.Severities + 3] = 8;
        counts[SeverityCounts.Severities + 4] = 127;
        counts[SeverityCounts.Severities + 5] = 128;
        counts[SeverityCounts.Severities + 7] = 70_000;
        counts[(2 * SeverityCounts.Severities) + 8] = 2;
        byte[] packed = SeverityCounts.Encode([0, 1, 2], counts);

        var reader = new SeverityCounts.Reader(packed);
        long[] sums = new long[SeverityCounts.Severities];
        reader.SkipValue();
        reader.AddValue(sums);
        Assert.Equal(new long[] { 7, 0, 0, 8, 127, 128, 0, 70_000, 0 }, sums);
        Array.Clear(sums);
        reader.AddValue(sums);
        Assert.Equal(2, sums[8]);
        Assert.True(reader.End);
        Assert.Equal(1, packed[0] & 0x07);
    }

    [Fact]
    public void DamagedCountsAreRejectedNotMiscounted()
    {
        // Three info lines of one pod: one value per label, each on all three lines; a pod label on one line only.
        var labels = new LabelValues();
        int[] counts = new int[(LogLabels.Count + 1) * SeverityCounts.Severities];
        for (int l = 0; l < LogLabels.Count; l++)
        {
            labels.Add((LogLabel)l, l == (int)LogLabel.Severity ? "info" : "a");
            counts[(l * SeverityCounts.Severities) + 6] = 3;
        }

        labels.AddPodLabel("app_kubernetes_io_name", "checkout");
        counts[(LogLabels.Count * SeverityCounts.Severities) + 6] = 1;
        ushort[] ids = [.. Enumerable.Range(0, LogLabels.Count + 1).Select(i => (ushort)i)];
        byte[] packed = SeverityCounts.Encode(ids, counts);
        var block = new IndexBlock(0, 100, 3, 0, 0, ids, 0, packed);
        SeverityCounts.Validate(packed, block, labels);

        // Without the pod label's value the fixed labels still add up; a fixed label on one line only does not.
        ushort[] fixedIds = ids[..^1];
        byte[] fixedPacked = SeverityCounts.Encode(fixedIds, counts);
        SeverityCounts.Validate(fixedPacked, new IndexBlock(0, 100, 3, 0, 0, fixedIds, 0, fixedPacked), labels);
        counts[6] = 1;
        Assert.Throws<InvalidDataException>(() => SeverityCounts.Validate(SeverityCounts.Encode(ids, counts), block, labels));
        counts[6] = 3;

        // Cut short; a count that no longer adds up to the block's lines; a severity past 8; a varint that never ends;
        // entries for a value the block does not have.
        Assert.Throws<InvalidDataException>(() => SeverityCounts.Validate(packed[..^1], block, labels));
        Assert.Throws<InvalidDataException>(() => SeverityCounts.Validate([.. packed[..^2], (6 << 3) | 2, packed[^1]], block, labels));
        Assert.Throws<InvalidDataException>(() => SeverityCounts.Validate([.. packed[..^1], (9 << 3) | 3], block, labels));
        Assert.Throws<InvalidDataException>(() => SeverityCounts.Validate([.. packed[..^1], 6 << 3, 0x83, 0x80], block, labels));
        Assert.Throws<InvalidDataException>(() => SeverityCounts.Validate([.. packed, packed[0]], block, labels));
    }

    [Fact]
    public void AValueWithoutLinesCannotBeEncoded() =>
        Assert.Throws<ArgumentException>(() => SeverityCounts.Encode([0], new int[SeverityCounts.Severities]));
}
