using Collector.Storage;

namespace Collector.Search;

public sealed partial class SearchEngine
{
    /// <summary>
    /// The non-empty values of each label (indexed by <see cref="LogLabel"/>) on lines in [start, end).
    /// </summary>
    public Task<HashSet<string>[]> LabelValuesAsync(long startNs, long endNs, CancellationToken cancellationToken) =>
        gate.RunAsync(() => CollectLabelValues(startNs, endNs, cancellationToken), cancellationToken);

    /// <summary>
    /// From the indexes of the blocks whose time range overlaps [start, end): no file text is read, so a value may come
    /// from a block's line just outside the range.
    /// </summary>
    public HashSet<string>[] CollectLabelValues(long startNs, long endNs, CancellationToken cancellationToken)
    {
        var values = Enumerable.Range(0, LogLabels.Count).Select(_ => new HashSet<string>(StringComparer.Ordinal)).ToArray();
        var files = store.OpenAll();
        try
        {
            foreach (var file in files)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var dictionary = file.Index.Labels;
                var seen = new bool[dictionary.Count];
                foreach (var block in file.Blocks)
                {
                    if (!BlockFilter.InRange(block, startNs, endNs))
                    {
                        continue;
                    }

                    foreach (ushort id in block.Values)
                    {
                        if (id < seen.Length && !seen[id])
                        {
                            seen[id] = true;
                            string value = dictionary.ValueOf(id);
                            if (value.Length > 0)
                            {
                                values[(int)dictionary.LabelOf(id)].Add(value);
                            }
                        }
                    }
                }
            }
        }
        finally
        {
            files.ForEach(f => f.Dispose());
        }

        return values;
    }
}
