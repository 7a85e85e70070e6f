using Collector.Storage.Index;

namespace Collector.Search;

/// <summary>
/// Searches the messages files block by block (<see cref="SearchRun"/>): the index rules out blocks by time range and
/// label values, the rest are read and their lines matched. Every search runs under the <see cref="ReadGate"/>, as
/// volume counts and label-value lookups do.
/// </summary>
public sealed partial class SearchEngine(IndexStore store, ReadGate gate, TimeProvider time)
{
    public Task<SearchResult> SearchAsync(SearchRequest request, CancellationToken cancellationToken) =>
        gate.RunAsync(() => Search(request, cancellationToken), cancellationToken);

    /// <summary>
    /// Searches on the calling thread (<see cref="SearchAsync"/> is the way in under the read limits).
    /// </summary>
    public SearchResult Search(SearchRequest request, CancellationToken cancellationToken)
    {
        long started = time.GetTimestamp();
        var files = store.OpenAll();
        try
        {
            var run = new SearchRun(request, time, started, cancellationToken);
            var ordered = request.Backward ? files : Enumerable.Reverse(files).ToList();
            int first = 0;
            if (request.Cursor is { } cursor)
            {
                first = ordered.FindIndex(f => f.Key == cursor.File);
                if (first < 0)
                {
                    // The file was deleted by rotation: going back there is nothing older; going forward, start
                    // at the oldest.
                    first = request.Backward ? ordered.Count : 0;
                }
                else if (cursor.Offset > ordered[first].Length)
                {
                    throw new CursorException($"offset {cursor.Offset} is past the end of its file ({ordered[first].Length} bytes)");
                }
            }

            int last = ordered.Count - 1;
            if (request.Until is { } until)
            {
                int at = ordered.FindIndex(f => f.Key == until.File);
                if (at >= 0)
                {
                    if (request.Backward)
                    {
                        first = Math.Max(first, at);
                    }
                    else
                    {
                        last = at;
                    }
                }
            }

            for (int i = first; i <= last && !run.Done; i++)
            {
                var file = ordered[i];
                long lo = 0, hi = file.Length;
                if (request.Cursor is { } c && c.File == file.Key)
                {
                    (lo, hi) = request.Backward ? (0, Math.Min(hi, c.Offset)) : (c.Offset, hi);
                }

                if (request.Until is { } u && u.File == file.Key)
                {
                    hi = Math.Min(hi, u.Offset);
                }

                run.Stats.Files++;
                if (lo < hi)
                {
                    run.ScanFile(file, lo, hi);
                }
            }

            run.Stats.Duration = time.GetElapsedTime(started);
            return new SearchResult(run.Entries, run.Next, run.Stats);
        }
        finally
        {
            files.ForEach(f => f.Dispose());
        }
    }

    /// <summary>
    /// Where a tail's history ends and its live lines begin: at <paramref name="end"/> of the file the writer had open
    /// when the tail subscribed. That file is named by content; if it rotated a moment ago (<paramref name="rotated"/>,
    /// asked after the current file was looked at) it is <c>.1</c> now. An empty file means: history is all older
    /// files; <c>NoHistory</c> when there are none. Reads a file's first 4 KiB on the calling thread: it has to follow
    /// the subscription closely, before another rotation.
    /// </summary>
    public (SearchPosition? Until, bool NoHistory) TailSeam(long end, Func<bool> rotated)
    {
        var files = store.Files;
        if (end == 0)
        {
            var previous = store.KeyOf(files.Previous);
            return previous is { } k ? (new SearchPosition(k, long.MaxValue), false) : (null, true);
        }

        FileKey? key = store.KeyOf(files.Current);
        if (rotated())
        {
            key = store.KeyOf(files.Previous);
        }

        return key is { } found ? (new SearchPosition(found, end), false) : (null, true);
    }
}
