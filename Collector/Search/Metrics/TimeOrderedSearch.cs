using Collector.Storage.Index;

namespace Collector.Search.Metrics;

/// <summary>
/// Loki's log query: the <c>limit</c> matching lines nearest to the end (backward) or the start (forward) of
/// [start, end) by timestamp, sorted by timestamp in that direction. Lines with equal timestamps keep storage order
/// (older file first, then offset), so a client paging by timestamp (logcli moves end to the last timestamp it got and
/// drops the lines it has seen) gets the same lines in the same order every time. Blocks are read in order of their
/// time bound and reading stops when no unread block can hold a line that beats the ones kept.
/// </summary>
public sealed class TimeOrderedSearch(IndexStore store, ReadGate gate)
{
    public Task<List<LogEntry>> SearchAsync(LogQuery query, long startNs, long endNs, int limit, bool backward,
        CancellationToken cancellationToken) =>
        gate.RunAsync(() => Search(query, startNs, endNs, limit, backward, cancellationToken), cancellationToken);

    public List<LogEntry> Search(LogQuery query, long startNs, long endNs, int limit, bool backward, CancellationToken cancellationToken)
    {
        var files = store.OpenAll();
        try
        {
            // OpenAll lists the newest file first: rank 0 is the oldest.
            var candidates = new List<(int File, int Block, long Bound)>();
            for (int f = 0; f < files.Count; f++)
            {
                var filter = new BlockFilter(query, files[f].Index.Labels);
                var blocks = files[f].Blocks;
                for (int b = 0; b < blocks.Length; b++)
                {
                    if (BlockFilter.InRange(blocks[b], startNs, endNs) && filter.MayMatch(blocks[b]))
                    {
                        candidates.Add((f, b, backward ? blocks[b].MaxTime : blocks[b].MinTime));
                    }
                }
            }

            candidates.Sort((a, b) => backward ? b.Bound.CompareTo(a.Bound) : a.Bound.CompareTo(b.Bound));
            var kept = new SortedSet<Ranked>(backward ? Ranked.Newest : Ranked.Oldest);
            var compressedDone = new bool[files.Count];
            foreach (var (f, b, bound) in candidates)
            {
                if (kept.Count == limit && (backward ? bound < kept.Max!.TimeNs : bound > kept.Max!.TimeNs))
                {
                    break;
                }

                var file = files[f];
                if (file.Compressed && compressedDone[f])
                {
                    continue;
                }

                var chosen = new bool[file.Blocks.Length];
                if (file.Compressed)
                {
                    // gzip cannot seek: read all of this file's candidates in one pass.
                    compressedDone[f] = true;
                    foreach (var c in candidates.Where(c => c.File == f))
                    {
                        chosen[c.Block] = true;
                    }
                }
                else
                {
                    chosen[b] = true;
                }

                int rank = files.Count - 1 - f;
                MatchingLines.ScanBlocks(
                    file,
                    chosen,
                    query,
                    startNs,
                    endNs,
                    (_, offset, line, in parsed, piped) =>
                    {
                        var candidate = new Ranked(parsed.TimeNs, rank, offset, null);
                        if (kept.Count == limit && kept.Comparer.Compare(candidate, kept.Max!) >= 0)
                        {
                            return;
                        }

                        kept.Add(candidate with { Entry = LogEntry.Of(line, parsed, piped) });
                        if (kept.Count > limit)
                        {
                            kept.Remove(kept.Max!);
                        }
                    },
                    cancellationToken);
            }

            return kept.Select(r => r.Entry!).ToList();
        }
        finally
        {
            files.ForEach(f => f.Dispose());
        }
    }

    /// <summary>A kept line and its place: time, then file (oldest first), then offset.</summary>
    private sealed record Ranked(long TimeNs, int File, long Offset, LogEntry? Entry)
    {
        /// <summary>Ascending: the first element is the oldest; Max is the one to drop.</summary>
        public static readonly IComparer<Ranked> Oldest = Comparer<Ranked>.Create(Compare);

        public static readonly IComparer<Ranked> Newest = Comparer<Ranked>.Create((a, b) => Compare(b, a));

        private static int Compare(Ranked? a, Ranked? b)
        {
            int c = a!.TimeNs.CompareTo(b!.TimeNs);
            c = c != 0 ? c : a.File.CompareTo(b.File);
            return c != 0 ? c : a.Offset.CompareTo(b.Offset);
        }
    }
}
