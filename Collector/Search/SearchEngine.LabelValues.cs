using Collector.Storage;

namespace Collector.Search;

public sealed partial class SearchEngine
{
    /// <summary>The non-empty values of each label on lines in [start, end).</summary>
    public Task<LabelValueSets> LabelValuesAsync(long startNs, long endNs, CancellationToken cancellationToken) =>
        gate.RunAsync(() => CollectLabelValues(startNs, endNs, cancellationToken), cancellationToken);

    /// <summary>
    /// From the indexes of the blocks whose time range overlaps [start, end): no file text is read, so a value may come
    /// from a block's line just outside the range. A block whose values did not all fit the index (an overflow bit) is
    /// read line by line instead, so no value is left out.
    /// </summary>
    public LabelValueSets CollectLabelValues(long startNs, long endNs, CancellationToken cancellationToken)
    {
        var values = new LabelValueSets();
        var files = store.OpenAll();
        try
        {
            foreach (var file in files)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var dictionary = file.Index.Labels;
                var seen = new bool[dictionary.Count];
                var overflowed = new bool[file.Blocks.Length];
                for (int b = 0; b < file.Blocks.Length; b++)
                {
                    var block = file.Blocks[b];
                    if (!BlockFilter.InRange(block, startNs, endNs))
                    {
                        continue;
                    }

                    overflowed[b] = block.Overflow != 0;
                    foreach (ushort id in block.Values)
                    {
                        if (id < seen.Length && !seen[id])
                        {
                            seen[id] = true;
                            values.Add(dictionary.LabelOf(id), dictionary.NameOf(id), dictionary.ValueOf(id));
                        }
                    }
                }

                BlockScanner.Scan(file, overflowed, newestFirst: false, (_, text) => AddLines(values, text), cancellationToken);
            }
        }
        finally
        {
            files.ForEach(f => f.Dispose());
        }

        return values;
    }

    private static bool AddLines(LabelValueSets values, ReadOnlySpan<byte> text)
    {
        foreach (var range in text.Split((byte)'\n'))
        {
            var line = text[range];
            if (!line.IsEmpty)
            {
                values.AddLine(StoredLine.Parse(line).LabelStrings());
            }
        }

        return true;
    }
}
