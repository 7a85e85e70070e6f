using Collector.Search.Pipeline;
using Collector.Storage;
using Collector.Storage.Index;

namespace Collector.Search;

/// <summary>
/// One search, file by file: chooses the blocks the index cannot rule out, has <see cref="BlockScanner"/> read them and
/// matches their lines in the search direction. A query with a <c>|=</c> literal jumps from occurrence to occurrence
/// instead of visiting every line.
/// </summary>
internal sealed class SearchRun(SearchRequest request, TimeProvider time, long started, CancellationToken cancellationToken)
{
    private readonly LiteralFinder? _finder = request.Query.RequiredLiteral() is { } literal ? new LiteralFinder(literal) : null;
    private long _bytes;

    public List<LogEntry> Entries { get; } = [];

    public SearchStats Stats { get; } = new();

    public SearchPosition? Next { get; private set; }

    public bool Done { get; private set; }

    /// <summary>Searches the bytes [<paramref name="lo"/>, <paramref name="hi"/>) of the file's text.</summary>
    public void ScanFile(StoredFile file, long lo, long hi)
    {
        var blocks = file.Blocks;
        var filter = new BlockFilter(request.Query, file.Index.Labels);
        var chosen = new bool[blocks.Length];
        for (int b = 0; b < blocks.Length; b++)
        {
            var block = blocks[b];
            if (block.End <= lo || block.Offset >= hi)
            {
                continue;
            }

            Stats.Blocks++;
            chosen[b] = BlockFilter.InRange(block, request.StartNs, request.EndNs) && filter.MayMatch(block);
            if (!chosen[b])
            {
                Stats.BlocksSkipped++;
            }
        }

        // gzip reads forward only: forward searches stop at the limit; backward ones keep the last matches in a ring.
        var ring = file.Compressed && request.Backward ? new MatchRing(request.Limit - Entries.Count, request.MaxBytes - _bytes) : null;
        Stats.BytesSkippedInGzip += BlockScanner.Scan(
            file, chosen, request.Backward, (at, text) => Visit(file, at, text, lo, hi, ring), cancellationToken);
        if (ring is not null)
        {
            TakeFrom(ring);
        }
    }

    private bool Visit(StoredFile file, long at, ReadOnlySpan<byte> text, long lo, long hi, MatchRing? ring)
    {
        ScanText(file, at, text, lo, hi, ring);
        if (ring is null && !Done && OverBudget())
        {
            // Resume where this text began (backward) or ended (forward).
            Stop(new SearchPosition(file.Key, request.Backward ? Math.Max(lo, at) : Math.Min(hi, at + text.Length)), partial: true);
        }

        return !Done;
    }

    /// <summary>
    /// The ring's entries, newest first; when it is full the search goes on before the oldest one kept.
    /// </summary>
    private void TakeFrom(MatchRing ring)
    {
        for (int i = ring.Count - 1; i >= 0; i--)
        {
            Entries.Add(ring[i]);
        }

        _bytes += ring.Bytes;

        // Full (the ring kept only the newest of more matches, or exactly what was missing): go on before the
        // oldest kept.
        if (ring.Count > 0 && (ring.Overflowed || Entries.Count >= request.Limit))
        {
            Stop(ring.PositionOf(0), partial: Entries.Count < request.Limit);
        }
    }

    /// <summary>
    /// Matches the lines of <paramref name="data"/> (whole lines, from file offset <paramref name="at"/>) inside
    /// [lo, hi), in the search direction.
    /// </summary>
    private void ScanText(StoredFile file, long at, ReadOnlySpan<byte> data, long lo, long hi, MatchRing? ring)
    {
        int start = (int)(Math.Max(lo, at) - at);
        int end = (int)(Math.Min(hi, at + data.Length) - at);

        // Blocks hold whole lines, and cursors and the tail's seam point between lines: anything else is a
        // forged cursor.
        if ((start > 0 && data[start - 1] != '\n') || (end > 0 && data[end - 1] != '\n'))
        {
            throw new CursorException($"offset {at + (start > 0 && data[start - 1] != '\n' ? start : end)} is not the start of a line in its file");
        }
        Stats.BytesScanned += end - start;
        bool backward = request.Backward && ring is null;
        int pos = backward ? end : start;
        while (backward ? pos > start : pos < end)
        {
            int lineStart, lineEnd;
            if (_finder is not null)
            {
                int hit = backward ? _finder.LastIndexOf(data[start..pos]) : _finder.IndexOf(data[pos..end]);
                if (hit < 0)
                {
                    return;
                }

                hit += backward ? start : pos;
                int from = backward ? start : pos;
                lineStart = from + data[from..hit].LastIndexOf((byte)'\n') + 1;
                int newline = data[hit..end].IndexOf((byte)'\n');
                lineEnd = newline < 0 ? end : hit + newline;
            }
            else if (backward)
            {
                lineEnd = pos - 1;
                lineStart = start + data[start..lineEnd].LastIndexOf((byte)'\n') + 1;
            }
            else
            {
                lineStart = pos;
                lineEnd = pos + data[pos..end].IndexOf((byte)'\n');
            }

            pos = backward ? lineStart : lineEnd + 1;
            Stats.LinesScanned++;
            var line = data[lineStart..lineEnd];
            var parsed = StoredLine.Parse(line);
            if (parsed.TimeNs < request.StartNs || parsed.TimeNs >= request.EndNs || !request.Query.MatchesStream(line, parsed))
            {
                continue;
            }

            PipelineLine? piped = null;
            if (request.Query.Pipeline is not null && (piped = request.Query.Run(line, parsed)) is null)
            {
                continue;
            }

            var entry = LogEntry.Of(line, parsed, piped);
            if (ring is not null)
            {
                ring.Add(entry, new SearchPosition(file.Key, at + lineStart), line.Length);
                continue;
            }

            Entries.Add(entry);
            _bytes += line.Length;
            if (Entries.Count >= request.Limit || _bytes >= request.MaxBytes)
            {
                Stop(new SearchPosition(file.Key, at + (request.Backward ? lineStart : lineEnd + 1)), partial: Entries.Count < request.Limit);
                return;
            }

            if ((Entries.Count & 63) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
    }

    private bool OverBudget()
    {
        cancellationToken.ThrowIfCancellationRequested();
        return time.GetElapsedTime(started) > request.Budget;
    }

    private void Stop(SearchPosition next, bool partial)
    {
        Next = next;
        Done = true;
        Stats.Partial |= partial;
    }
}
