using Collector.Search.Pipeline;
using Collector.Storage;
using Collector.Storage.Index;

namespace Collector.Search.Metrics;

/// <summary>
/// One matching line handed to a <see cref="MatchingLines"/> visitor, with what the query's pipeline made of it (null
/// without one); the line is only valid during the call.
/// </summary>
internal delegate void LineVisit(FileKey file, long offset, ReadOnlySpan<byte> line, in StoredLine parsed, PipelineLine? piped);

/// <summary>
/// Every stored line with start ≤ time &lt; end that matches a query, in no particular order: the index rules out
/// blocks by time and label values, the rest are read. The base of metric queries, series and label lookups, which
/// need all matching lines rather than a page of them.
/// </summary>
internal static class MatchingLines
{
    public static void Scan(IndexStore store, LogQuery query, long startNs, long endNs, LineVisit visit, CancellationToken cancellationToken)
    {
        var files = store.OpenAll();
        try
        {
            foreach (var file in files)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var filter = new BlockFilter(query, file.Index.Labels);
                var blocks = file.Blocks;
                var chosen = new bool[blocks.Length];
                for (int b = 0; b < blocks.Length; b++)
                {
                    chosen[b] = BlockFilter.InRange(blocks[b], startNs, endNs) && filter.MayMatch(blocks[b]);
                }

                ScanBlocks(file, chosen, query, startNs, endNs, visit, cancellationToken);
            }
        }
        finally
        {
            files.ForEach(f => f.Dispose());
        }
    }

    /// <summary>The matching lines of the chosen blocks of one file.</summary>
    public static void ScanBlocks(
        StoredFile file, bool[] chosen, LogQuery query, long startNs, long endNs, LineVisit visit, CancellationToken cancellationToken)
    {
        var key = file.Key;
        BlockScanner.Scan(
            file,
            chosen,
            newestFirst: false,
            (at, text) =>
            {
                long offset = at;
                while (!text.IsEmpty)
                {
                    int lf = text.IndexOf((byte)'\n');
                    var line = lf < 0 ? text : text[..lf];
                    int taken = lf < 0 ? text.Length : lf + 1;
                    var parsed = StoredLine.Parse(line);
                    if (parsed.TimeNs >= startNs && parsed.TimeNs < endNs && query.MatchesStream(line, parsed))
                    {
                        var piped = query.Pipeline is null ? null : query.Run(line, parsed);
                        if (query.Pipeline is null || piped is not null)
                        {
                            visit(key, offset, line, parsed, piped);
                        }
                    }

                    text = text[taken..];
                    offset += taken;
                }

                return true;
            },
            cancellationToken);
    }
}
