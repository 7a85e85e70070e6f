using Collector.Storage.Index;

namespace Collector.Search.Metrics;

/// <summary>
/// The label sets (streams) of the lines in a range that match one of some queries, with their lines, bytes and blocks:
/// what Loki's series, labels with <c>query</c>, index/stats and index/volume routes report. Read from the lines, so a
/// stream is listed only when one of its lines lies in the range.
/// </summary>
public sealed class StreamIndex(IndexStore store, ReadGate gate)
{
    public Task<StreamTotals> CollectAsync(IReadOnlyList<LogQuery> queries, long startNs, long endNs, CancellationToken cancellationToken) =>
        gate.RunAsync(() => Collect(queries, startNs, endNs, cancellationToken), cancellationToken);

    public StreamTotals Collect(IReadOnlyList<LogQuery> queries, long startNs, long endNs, CancellationToken cancellationToken)
    {
        // Several match[] selectors are alternatives: one query with their terms, so a line is counted once.
        var query = queries.Count == 1 ? queries[0] : new LogQuery(string.Join(" or ", queries.Select(q => q.Text)),
            [.. queries.SelectMany(q => q.Terms)]);
        var totals = new StreamTotals();
        var blocks = new HashSet<(FileKey, long)>();
        var files = store.OpenAll();
        try
        {
            foreach (var file in files)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var filter = new BlockFilter(query, file.Index.Labels);
                var fileBlocks = file.Blocks;
                var chosen = new bool[fileBlocks.Length];
                for (int b = 0; b < fileBlocks.Length; b++)
                {
                    chosen[b] = BlockFilter.InRange(fileBlocks[b], startNs, endNs) && filter.MayMatch(fileBlocks[b]);
                }

                MatchingLines.ScanBlocks(
                    file,
                    chosen,
                    query,
                    startNs,
                    endNs,
                    (key, offset, line, in parsed, _) =>
                    {
                        var stored = parsed.LabelStrings();
                        string id = string.Join('\u001f', stored);
                        if (!totals.Streams.TryGetValue(id, out var stream))
                        {
                            stream = new StreamTotal(LokiLabels.Of(stored));
                            totals.Streams.Add(id, stream);
                        }

                        stream.Entries++;
                        stream.Bytes += line.Length;
                        int block = BlockAt(fileBlocks, offset);
                        blocks.Add((key, block));
                    },
                    cancellationToken);
            }
        }
        finally
        {
            files.ForEach(f => f.Dispose());
        }

        totals.Chunks = blocks.Count;
        return totals;
    }

    /// <summary>The block holding an offset (blocks are in offset order).</summary>
    private static int BlockAt(IndexBlock[] blocks, long offset)
    {
        int lo = 0, hi = blocks.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (blocks[mid].Offset <= offset)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }
}

/// <summary>What <see cref="StreamIndex"/> found: each stream by label key, and the blocks that held its
/// lines.</summary>
public sealed class StreamTotals
{
    public Dictionary<string, StreamTotal> Streams { get; } = new(StringComparer.Ordinal);

    public long Chunks { get; set; }
}

public sealed class StreamTotal(KeyValuePair<string, string>[] labels)
{
    public KeyValuePair<string, string>[] Labels => labels;

    public long Entries { get; set; }

    public long Bytes { get; set; }
}
