using System.Buffers;
using System.Text;
using Collector.Storage.Index;

namespace Collector.Search;

/// <summary>
/// Counts the lines matching a query per time step and severity (the UI's histogram). A block that lies inside one
/// step, and whose label values show that every line matches and all have one severity, is counted from the index
/// alone (<see cref="IndexBlock.Lines"/>); other blocks that may match are read and their lines counted one by one.
/// </summary>
public sealed class VolumeCounter(IndexStore store)
{
    /// <summary>Severity codes 0–7, then lines without a known severity.</summary>
    public const int Severities = 9;

    public VolumeResult Count(LogQuery query, long startNs, long endNs, long stepNs, CancellationToken cancellationToken)
    {
        int buckets = (int)(((endNs - startNs) + stepNs - 1) / stepNs);
        var result = new VolumeResult(new long[Severities, buckets]);
        var files = store.OpenAll();
        try
        {
            foreach (var file in files)
            {
                cancellationToken.ThrowIfCancellationRequested();
                new FileRun(query, startNs, endNs, stepNs, file, result, cancellationToken).Run();
            }
        }
        finally
        {
            files.ForEach(f => f.Dispose());
        }

        return result;
    }

    private sealed class FileRun(LogQuery query, long startNs, long endNs, long stepNs, StoredFile file, VolumeResult result, CancellationToken cancellationToken)
    {
        private readonly BlockFilter _filter = new(query, file.Index.Labels);

        // As in SearchEngine: with bytes every matching line contains, only lines holding them are parsed.
        private readonly LiteralFinder? _finder = query.RequiredLiteral() is { } literal ? new LiteralFinder(literal) : null;
        private readonly LabelValues _labels = file.Index.Labels;

        public void Run()
        {
            var blocks = file.Blocks;
            var scan = new bool[blocks.Length];
            int lastScan = -1;
            for (int b = 0; b < blocks.Length; b++)
            {
                var block = blocks[b];
                if (block.MaxTime < startNs || block.MinTime >= endNs || !_filter.MayMatch(block))
                {
                    result.BlocksSkipped++;
                    continue;
                }

                if (block.MinTime >= startNs && block.MaxTime < endNs && Bucket(block.MinTime) == Bucket(block.MaxTime)
                    && EveryLineMatches(block) && SingleSeverity(block) is int severity)
                {
                    result.Counts[severity, Bucket(block.MinTime)] += block.Lines;
                    result.BlocksCounted++;
                    continue;
                }

                scan[b] = true;
                lastScan = b;
                result.BlocksScanned++;
            }

            if (lastScan >= 0)
            {
                Read(blocks, scan, lastScan);
            }
        }

        private int Bucket(long timeNs) => (int)((timeNs - startNs) / stepNs);

        /// <summary>One alternative without line filters whose every matcher accepts all of the block's values of its label.</summary>
        private bool EveryLineMatches(IndexBlock block)
        {
            foreach (var term in query.Terms)
            {
                if (term.Filters.Count == 0 && term.Matchers.All(m => AllValuesMatch(block, m)))
                {
                    return true;
                }
            }

            return false;
        }

        private bool AllValuesMatch(IndexBlock block, LabelMatcher matcher)
        {
            if ((block.Overflow & (1 << (int)matcher.Label)) != 0)
            {
                return false;
            }

            bool any = false;
            foreach (ushort id in block.Values)
            {
                if (id < _labels.Count && _labels.LabelOf(id) == matcher.Label)
                {
                    any = true;
                    if (!matcher.Matches(_labels.ValueOf(id)))
                    {
                        return false;
                    }
                }
            }

            return any;
        }

        private int? SingleSeverity(IndexBlock block)
        {
            if ((block.Overflow & (1 << (int)LogLabel.Severity)) != 0)
            {
                return null;
            }

            int? found = null;
            foreach (ushort id in block.Values)
            {
                if (id < _labels.Count && _labels.LabelOf(id) == LogLabel.Severity)
                {
                    if (found is not null)
                    {
                        return null;
                    }

                    found = SeverityIndex(Encoding.UTF8.GetBytes(_labels.ValueOf(id)));
                }
            }

            return found;
        }

        private static int SeverityIndex(ReadOnlySpan<byte> name)
        {
            int code = LogLabels.SeverityCode(name);
            return code < 0 ? Severities - 1 : code;
        }

        /// <summary>The most read at once from a plain file (as in SearchEngine: still in L2 when it is scanned).</summary>
        private const int MaxRead = 256 * 1024;

        private void Read(IndexBlock[] blocks, bool[] scan, int lastScan)
        {
            byte[] buffer = ArrayPool<byte>.Shared.Rent(MaxRead);
            try
            {
                if (file.Compressed)
                {
                    ReadCompressed(blocks, scan, lastScan, ref buffer);
                    return;
                }

                // Runs of neighbouring blocks to scan, one pread each.
                int b = 0;
                while (b <= lastScan)
                {
                    if (!scan[b])
                    {
                        b++;
                        continue;
                    }

                    int first = b;
                    long bytes = 0;
                    while (b <= lastScan && scan[b] && (bytes == 0 || bytes + blocks[b].Length <= MaxRead))
                    {
                        bytes += blocks[b].Length;
                        b++;
                    }

                    if (buffer.Length < bytes)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = ArrayPool<byte>.Shared.Rent((int)bytes);
                    }

                    var data = buffer.AsSpan(0, (int)bytes);
                    if (RandomAccess.Read(file.Handle, data, blocks[first].Offset) < bytes)
                    {
                        throw new IOException($"{file.Path} is shorter than its index");
                    }

                    CountLines(data);
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        /// <summary>gzip cannot seek: read forward through every block up to the last one needed.</summary>
        private void ReadCompressed(IndexBlock[] blocks, bool[] scan, int lastScan, ref byte[] buffer)
        {
            using var text = file.OpenText();
            for (int b = 0; b <= lastScan; b++)
            {
                var block = blocks[b];
                if (buffer.Length < block.Length)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(block.Length);
                }

                var data = buffer.AsSpan(0, block.Length);
                text.ReadExactly(data);
                if (scan[b])
                {
                    CountLines(data);
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }
        }

        private void CountLines(ReadOnlySpan<byte> data)
        {
            while (!data.IsEmpty)
            {
                if (_finder is not null)
                {
                    int hit = _finder.IndexOf(data);
                    if (hit < 0)
                    {
                        return;
                    }

                    // Back to the start of the line holding the hit.
                    data = data[(data[..hit].LastIndexOf((byte)'\n') + 1)..];
                }

                int lf = data.IndexOf((byte)'\n');
                var line = lf < 0 ? data : data[..lf];
                data = lf < 0 ? default : data[(lf + 1)..];
                result.LinesScanned++;
                var parsed = StoredLine.Parse(line);
                if (parsed.TimeNs >= startNs && parsed.TimeNs < endNs && query.Matches(line, parsed))
                {
                    result.Counts[SeverityIndex(parsed.Raw(LogLabel.Severity)), Bucket(parsed.TimeNs)]++;
                }
            }
        }
    }
}

/// <summary>Line counts by severity (0–7, then unknown) and step, and how they were obtained.</summary>
public sealed class VolumeResult(long[,] counts)
{
    public long[,] Counts => counts;

    public long BlocksCounted { get; set; }

    public long BlocksScanned { get; set; }

    public long BlocksSkipped { get; set; }

    public long LinesScanned { get; set; }
}
