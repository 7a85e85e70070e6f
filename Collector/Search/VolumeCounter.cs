using Collector.Storage;
using Collector.Storage.Index;

namespace Collector.Search;

/// <summary>
/// Counts the lines matching a query per time step and severity (the UI's histogram). A block that lies inside one
/// step is counted from the index alone when its label values decide every line: when every line matches (all of
/// <see cref="IndexBlock.Lines"/>), or when the query is one selector without line filters that names at most one
/// label besides severity (<c>{pod="x"}</c>, <c>{namespace=~"a|b", severity&lt;="err"}</c>): then the block's lines per
/// value and severity (<see cref="IndexBlock.Counts"/>) give the count. Other blocks that may match are read and their
/// lines counted one by one.
/// </summary>
public sealed class VolumeCounter(IndexStore store, ReadGate gate)
{
    /// <summary>Severity codes 0–7, then lines without a known severity.</summary>
    public const int Severities = SeverityCounts.Severities;

    /// <summary>Counts under the <see cref="ReadGate"/>, as searches run.</summary>
    public Task<VolumeResult> CountAsync(LogQuery query, long startNs, long endNs, long stepNs, CancellationToken cancellationToken) =>
        gate.RunAsync(() => Count(query, startNs, endNs, stepNs, cancellationToken), cancellationToken);

    /// <summary>Counts on the calling thread (<see cref="CountAsync"/> is the way in under the read limits).</summary>
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

    private sealed class FileRun(
        LogQuery query,
        long startNs,
        long endNs,
        long stepNs,
        StoredFile file,
        VolumeResult result,
        CancellationToken cancellationToken)
    {
        private readonly BlockFilter _filter = new(query, file.Index.Labels);

        // As in SearchEngine: with bytes every matching line contains, only lines holding them are parsed.
        private readonly LiteralFinder? _finder = query.RequiredLiteral() is { } literal ? new LiteralFinder(literal) : null;
        private readonly LabelValues _labels = file.Index.Labels;

        // The one-selector plan, or null: the label whose values decide, its matchers, and the severity matchers.
        private readonly ByValue? _byValue = ByValue.For(query);

        // Per value id: 0 not decided yet, 1 the value's matchers accept it, 2 they do not.
        private byte[] _accepted = [];

        public void Run()
        {
            var blocks = file.Blocks;
            var scan = new bool[blocks.Length];
            for (int b = 0; b < blocks.Length; b++)
            {
                var block = blocks[b];
                if (!BlockFilter.InRange(block, startNs, endNs) || !_filter.MayMatch(block))
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

                if (block.MinTime >= startNs && block.MaxTime < endNs && Bucket(block.MinTime) == Bucket(block.MaxTime)
                    && CountedByValue(block, Bucket(block.MinTime)))
                {
                    result.BlocksCounted++;
                    continue;
                }

                scan[b] = true;
                result.BlocksScanned++;
            }

            BlockScanner.Scan(file, scan, newestFirst: false, (_, text) => CountLines(text), cancellationToken);
        }

        private int Bucket(long timeNs) => (int)((timeNs - startNs) / stepNs);

        /// <summary>
        /// One alternative without line filters whose every matcher accepts all of the block's values of its label.
        /// </summary>
        private bool EveryLineMatches(IndexBlock block)
        {
            foreach (var term in query.Terms)
            {
                if (query.Pipeline is null && term.Filters.Count == 0 && term.Matchers.All(m => AllValuesMatch(block, m)))
                {
                    return true;
                }
            }

            return false;
        }

        private bool AllValuesMatch(IndexBlock block, LabelMatcher matcher)
        {
            // Lines without a pod label leave no trace in the block: only they can say.
            if (matcher.Label == LogLabel.PodLabel || (block.Overflow & (1 << (int)matcher.Label)) != 0)
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

        /// <summary>
        /// Adds the block's matching lines from its counts per value and severity, when the plan allows.
        /// </summary>
        private bool CountedByValue(IndexBlock block, int bucket)
        {
            if (_byValue is not { } plan || (block.Overflow & ((1 << (int)plan.Label) | (1 << (int)LogLabel.Severity))) != 0)
            {
                return false;
            }

            // Which severities the severity matchers accept, from the block's severity values.
            Span<sbyte> severityAccepted = stackalloc sbyte[Severities];
            severityAccepted.Fill(plan.Severity.Count == 0 ? (sbyte)1 : (sbyte)-1);
            if (plan.Severity.Count > 0)
            {
                foreach (ushort id in block.Values)
                {
                    if (_labels.LabelOf(id) != LogLabel.Severity)
                    {
                        continue;
                    }

                    var value = _labels.Utf8Of(id);
                    int s = SeverityIndex(value);
                    sbyte ok = AllMatch(plan.Severity, value) ? (sbyte)1 : (sbyte)0;
                    if (severityAccepted[s] >= 0 && severityAccepted[s] != ok)
                    {
                        // Two severity spellings on one code that the matchers tell apart: only the lines can say.
                        return false;
                    }

                    severityAccepted[s] = ok;
                }
            }

            Span<long> sums = stackalloc long[Severities];
            var counts = new SeverityCounts.Reader(block.Counts);
            foreach (ushort id in block.Values)
            {
                if (_labels.LabelOf(id) == plan.Label && Accepts(plan, id))
                {
                    counts.AddValue(sums);
                }
                else
                {
                    counts.SkipValue();
                }
            }

            for (int s = 0; s < Severities; s++)
            {
                if (severityAccepted[s] == 1)
                {
                    result.Counts[s, bucket] += sums[s];
                }
            }

            return true;
        }

        private bool Accepts(ByValue plan, ushort id)
        {
            if (id >= _accepted.Length)
            {
                Array.Resize(ref _accepted, _labels.Count);
            }

            if (_accepted[id] == 0)
            {
                var value = _labels.Utf8Of(id);
                _accepted[id] = AllMatch(plan.Matchers, value) ? (byte)1 : (byte)2;
            }

            return _accepted[id] == 1;
        }

        private static bool AllMatch(IReadOnlyList<LabelMatcher> matchers, ReadOnlySpan<byte> value)
        {
            foreach (var matcher in matchers)
            {
                if (!matcher.Matches(value))
                {
                    return false;
                }
            }

            return true;
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

                    found = SeverityIndex(_labels.Utf8Of(id));
                }
            }

            return found;
        }

        private static int SeverityIndex(ReadOnlySpan<byte> name)
        {
            int code = LogLabels.SeverityCode(name);
            return code < 0 ? Severities - 1 : code;
        }

        private bool CountLines(ReadOnlySpan<byte> data)
        {
            while (!data.IsEmpty)
            {
                if (_finder is not null)
                {
                    int hit = _finder.IndexOf(data);
                    if (hit < 0)
                    {
                        return true;
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

            return true;
        }
    }
}

/// <summary>
/// A query the block counts can answer: one selector, no line filters, its matchers on one label (or none) plus
/// severity. Each line has one value per label, so the block's matching lines are the lines of the accepted values,
/// split by severity.
/// </summary>
internal sealed record ByValue(LogLabel Label, IReadOnlyList<LabelMatcher> Matchers, IReadOnlyList<LabelMatcher> Severity)
{
    public static ByValue? For(LogQuery query)
    {
        if (query.Pipeline is not null || query.Terms is not [{ Filters.Count: 0 } term] || term.Matchers.Any(m => m.Label == LogLabel.PodLabel))
        {
            return null;
        }

        var others = term.Matchers.Where(m => m.Label != LogLabel.Severity).ToList();
        var severity = term.Matchers.Where(m => m.Label == LogLabel.Severity).ToList();
        if (others.Select(m => m.Label).Distinct().Count() > 1)
        {
            return null;
        }

        // Without another label the severity values themselves are the values counted.
        return others.Count == 0 ? new ByValue(LogLabel.Severity, severity, severity) : new ByValue(others[0].Label, others, severity);
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
