using System.Buffers;
using System.Text;
using Collector.Storage;
using Collector.Storage.Index;

namespace Collector.Search;

/// <summary>
/// Searches the messages files block by block: the index rules out blocks by time range and label values, the rest
/// are read (plain files by offset, backwards when the newest lines are wanted; gzip files in one forward pass) and
/// their lines matched. A query with a <c>|=</c> literal jumps from occurrence to occurrence instead of visiting
/// every line. At most half the cores search at once, so ingest always keeps a core, and searches run at a lower
/// priority (<see cref="LowPriorityScheduler"/>), so ingest wins a contended core.
/// </summary>
public sealed class SearchEngine(IndexStore store, TimeProvider time) : IDisposable
{
    private static readonly int Searchers = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>
    /// The most read at once from a plain file: small enough that the text is still in the core's L2 cache when it is
    /// scanned right after the copy from the page cache, large enough that a pread costs little next to its copy.
    /// </summary>
    private const int MaxRead = 256 * 1024;

    private readonly SemaphoreSlim _gate = new(Searchers);
    private readonly LowPriorityScheduler _scheduler = new(Searchers);

    public IndexStore Store => store;

    public void Dispose()
    {
        _gate.Dispose();
        _scheduler.Dispose();
    }

    public Task<SearchResult> SearchAsync(SearchRequest request, CancellationToken cancellationToken) =>
        RunAsync(() => Search(request, cancellationToken), cancellationToken);

    /// <summary>Runs other work that reads the stored files (volume counts) under the same limits as searches.</summary>
    public async Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Factory.StartNew(work, cancellationToken, TaskCreationOptions.DenyChildAttach, _scheduler).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public SearchResult Search(SearchRequest request, CancellationToken cancellationToken)
    {
        long started = time.GetTimestamp();
        var files = store.OpenAll();
        try
        {
            var run = new Run(request, time, started, cancellationToken);
            var ordered = request.Backward ? files : Enumerable.Reverse(files).ToList();
            int first = 0;
            if (request.Cursor is { } cursor)
            {
                first = ordered.FindIndex(f => f.Key == cursor.File);
                if (first < 0)
                {
                    // The file was deleted by rotation: going back there is nothing older; going forward, start at the oldest.
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

    private sealed class Run(SearchRequest request, TimeProvider time, long started, CancellationToken cancellationToken)
    {
        private readonly LiteralFinder? _finder = request.Query.RequiredLiteral() is { } literal ? new LiteralFinder(literal) : null;
        private long _bytes;

        public List<SearchEntry> Entries { get; } = [];

        public SearchStats Stats { get; } = new();

        public SearchPosition? Next { get; private set; }

        public bool Done { get; private set; }

        public void ScanFile(StoredFile file, long lo, long hi)
        {
            var blocks = file.Blocks;
            var filter = new BlockFilter(request.Query, file.Index.Labels);
            var candidate = new bool[blocks.Length];
            int lastCandidate = -1;
            for (int b = 0; b < blocks.Length; b++)
            {
                var block = blocks[b];
                if (block.End <= lo || block.Offset >= hi)
                {
                    continue;
                }

                Stats.Blocks++;
                candidate[b] = block.MaxTime >= request.StartNs && block.MinTime < request.EndNs && filter.MayMatch(block);
                if (candidate[b])
                {
                    lastCandidate = b;
                }
                else
                {
                    Stats.BlocksSkipped++;
                }
            }

            if (lastCandidate < 0)
            {
                return;
            }

            if (file.Compressed)
            {
                ScanCompressed(file, blocks, candidate, lastCandidate, lo, hi);
            }
            else
            {
                ScanPlain(file, blocks, candidate, lo, hi);
            }
        }

        /// <summary>
        /// Reads runs of neighbouring candidate blocks (up to <see cref="MaxRead"/>) with one pread each, newest run
        /// first when backward, and matches each run as one piece of text: a literal is searched across the whole run.
        /// </summary>
        private void ScanPlain(StoredFile file, IndexBlock[] blocks, bool[] candidate, long lo, long hi)
        {
            int At(int k) => request.Backward ? blocks.Length - 1 - k : k;
            byte[] buffer = ArrayPool<byte>.Shared.Rent(MaxRead);
            try
            {
                int k = 0;
                while (k < blocks.Length && !Done)
                {
                    if (!candidate[At(k)])
                    {
                        k++;
                        continue;
                    }

                    int first = k;
                    long bytes = 0;
                    while (k < blocks.Length && candidate[At(k)] && (bytes == 0 || bytes + blocks[At(k)].Length <= MaxRead))
                    {
                        bytes += blocks[At(k)].Length;
                        k++;
                    }

                    long offset = Math.Min(blocks[At(first)].Offset, blocks[At(k - 1)].Offset);
                    if (buffer.Length < bytes)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = ArrayPool<byte>.Shared.Rent((int)bytes);
                    }

                    var run = buffer.AsSpan(0, (int)bytes);
                    if (RandomAccess.Read(file.Handle, run, offset) < bytes)
                    {
                        throw new IOException($"{file.Path} is shorter than its index");
                    }

                    ScanText(file, offset, run, lo, hi, ring: null);
                    if (!Done && OverBudget())
                    {
                        // Resume where this run began (backward) or ended (forward).
                        Stop(new SearchPosition(file.Key, request.Backward ? Math.Max(lo, offset) : Math.Min(hi, offset + bytes)), partial: true);
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        /// <summary>
        /// gzip reads forward only. Forward searches stop at the limit; backward ones keep the last matches in a ring
        /// and hand them out newest first at the end of the file.
        /// </summary>
        private void ScanCompressed(StoredFile file, IndexBlock[] blocks, bool[] candidate, int lastCandidate, long lo, long hi)
        {
            Ring? ring = request.Backward ? new Ring(request.Limit - Entries.Count, request.MaxBytes - _bytes) : null;
            byte[] buffer = ArrayPool<byte>.Shared.Rent(FileIndex.BlockSize * 2);
            try
            {
                using var text = file.OpenText();
                for (int b = 0; b <= lastCandidate && !Done; b++)
                {
                    var block = blocks[b];
                    if (buffer.Length < block.Length)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = ArrayPool<byte>.Shared.Rent(block.Length);
                    }

                    var data = buffer.AsSpan(0, block.Length);
                    text.ReadExactly(data);
                    if (!candidate[b])
                    {
                        Stats.BytesSkippedInGzip += block.Length;
                        continue;
                    }

                    ScanText(file, block.Offset, data, lo, hi, ring);
                    if (ring is null && !Done && OverBudget())
                    {
                        Stop(new SearchPosition(file.Key, Math.Min(hi, block.End)), partial: true);
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            if (ring is not null)
            {
                for (int i = ring.Count - 1; i >= 0; i--)
                {
                    Entries.Add(ring[i]);
                }

                _bytes += ring.Bytes;

                // Full (the ring kept only the newest of more matches, or exactly what was missing): go on before the oldest kept.
                if (ring.Count > 0 && (ring.Overflowed || Entries.Count >= request.Limit))
                {
                    Stop(ring[0].Position, partial: Entries.Count < request.Limit);
                }
            }
        }

        /// <summary>
        /// Matches the lines of <paramref name="data"/> (whole lines, from file offset <paramref name="at"/>) inside
        /// [lo, hi), in the search direction.
        /// </summary>
        private void ScanText(StoredFile file, long at, ReadOnlySpan<byte> data, long lo, long hi, Ring? ring)
        {
            int start = (int)(Math.Max(lo, at) - at);
            int end = (int)(Math.Min(hi, at + data.Length) - at);

            // Blocks hold whole lines, and cursors and the tail's seam point between lines: anything else is a forged cursor.
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
                if (parsed.TimeNs < request.StartNs || parsed.TimeNs >= request.EndNs || !request.Query.Matches(line, parsed))
                {
                    continue;
                }

                var entry = new SearchEntry(parsed.TimeNs, parsed.LabelStrings(), Encoding.UTF8.GetString(line), new SearchPosition(file.Key, at + lineStart));
                if (ring is not null)
                {
                    ring.Add(entry, line.Length);
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

    /// <summary>
    /// The last entries added, oldest first: at most <c>capacity</c> of them, and (but always the newest one) at most
    /// <c>maxBytes</c> of lines, the page's byte cap.
    /// </summary>
    private sealed class Ring(int capacity, long maxBytes)
    {
        private readonly SearchEntry[] _items = new SearchEntry[Math.Max(capacity, 1)];
        private readonly int[] _sizes = new int[Math.Max(capacity, 1)];
        private int _next;

        public int Count { get; private set; }

        /// <summary>Entries were let go to stay within the count or the bytes.</summary>
        public bool Overflowed { get; private set; }

        /// <summary>Bytes of the lines held.</summary>
        public long Bytes { get; private set; }

        public SearchEntry this[int i] => _items[Slot(i)];

        public void Add(SearchEntry entry, int bytes)
        {
            while (Count > 0 && (Count == _items.Length || Bytes + bytes > maxBytes))
            {
                // Let the oldest go (and its line, which may be long).
                int oldest = Slot(0);
                Bytes -= _sizes[oldest];
                _items[oldest] = null!;
                Count--;
                Overflowed = true;
            }

            _items[_next] = entry;
            _sizes[_next] = bytes;
            Bytes += bytes;
            Count++;
            _next = (_next + 1) % _items.Length;
        }

        private int Slot(int i) => (_next - Count + i + (_items.Length * 2)) % _items.Length;
    }
}
