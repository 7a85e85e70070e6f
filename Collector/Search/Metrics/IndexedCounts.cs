using Collector.Storage;
using Collector.Storage.Index;

namespace Collector.Search.Metrics;

/// <summary>
/// <c>count_over_time</c> and <c>rate</c> of a label-only selector (one selector, no line filter, no pipeline, matchers
/// on one label besides severity, as <see cref="ByValue"/>), summed by some labels or not aggregated, from the index
/// where it can decide. A block whose lines all fall into the same windows (wholly inside each window that holds any of
/// them) is counted from its lines per value and severity: the series of value v with severity s gets that count, its
/// other labels being those every line holding v carries (<see cref="LabelValues.CompanionOf"/>; a pod gives its
/// namespace, container, host and app). Blocks cut by a window's edge, and blocks where a needed label is not decided
/// (two containers of one pod, two spellings of one severity), are read line by line. Either way each line adds to the
/// steps whose windows hold it, as <see cref="MetricEvaluator"/> does, so the counts are the same.
/// </summary>
internal sealed class IndexedCounts
{
    private readonly RangeNode _node;
    private readonly ByValue _plan;
    private readonly Func<string, bool> _keep;
    private readonly bool[] _needed = new bool[LogLabels.Count];
    private readonly long[] _times;
    private readonly long _stepNs;
    private readonly Dictionary<string, (KeyValuePair<string, string>[] Labels, long[] Lines)> _series = new(StringComparer.Ordinal);

    private IndexedCounts(RangeNode node, ByValue plan, Func<string, bool> keep, long[] times, long stepNs)
    {
        _node = node;
        _plan = plan;
        _keep = keep;
        _times = times;
        _stepNs = stepNs;
        for (int l = 0; l < LogLabels.Count; l++)
        {
            _needed[l] = keep(LogLabels.Names[l]);
        }

        // level and detected_level are the severity's.
        _needed[(int)LogLabel.Severity] |= keep(LokiLabels.Level) || keep(LokiLabels.DetectedLevel);
    }

    /// <summary>Blocks counted from the index alone.</summary>
    public long BlocksCounted { get; private set; }

    /// <summary>Blocks read line by line (window edges, undecided labels).</summary>
    public long BlocksRead { get; private set; }

    /// <summary>
    /// A counter for <paramref name="node"/> whose series keep the labels <paramref name="keep"/> accepts (all for a
    /// plain range function, those of <c>sum by (…)</c>), or null when the query is not one the index can count.
    /// </summary>
    public static IndexedCounts? For(RangeNode node, Func<string, bool> keep, long[] times, long stepNs) =>
        node.Function is RangeFunction.CountOverTime or RangeFunction.Rate && ByValue.For(node.Query) is { } plan
            ? new IndexedCounts(node, plan, keep, times, stepNs)
            : null;

    public List<MetricSeries> Count(IndexStore store, CancellationToken cancellationToken)
    {
        var files = store.OpenAll();
        try
        {
            foreach (var file in files)
            {
                cancellationToken.ThrowIfCancellationRequested();
                CountFile(file, cancellationToken);
            }
        }
        finally
        {
            files.ForEach(f => f.Dispose());
        }

        double seconds = _node.RangeNs / 1e9;
        var result = new List<MetricSeries>(_series.Count);
        foreach (var (labels, lines) in _series.Values)
        {
            var values = new double?[_times.Length];
            long sum = 0;
            for (int k = 0; k < values.Length; k++)
            {
                sum += lines[k];
                if (sum > 0)
                {
                    values[k] = _node.Function == RangeFunction.Rate ? sum / seconds : sum;
                }
            }

            result.Add(new MetricSeries(labels, values));
        }

        return result;
    }

    private void CountFile(StoredFile file, CancellationToken cancellationToken)
    {
        var query = _node.Query;
        long first = _times[0] - _node.OffsetNs - _node.RangeNs + 1;
        long last = _times[^1] - _node.OffsetNs;
        var filter = new BlockFilter(query, file.Index.Labels);
        var blocks = file.Blocks;
        var read = new bool[blocks.Length];
        var block = new BlockCounts(this, file.Index.Labels);
        bool podLabelsKept = KeepsPodLabels(file.Index.Labels);
        bool any = false;
        for (int b = 0; b < blocks.Length; b++)
        {
            if (!BlockFilter.InRange(blocks[b], first, last + 1) || !filter.MayMatch(blocks[b]))
            {
                continue;
            }

            // Before clamping to the steps asked for: a block could run from one gap between windows to the next.
            var (lo, hi) = RawSteps(blocks[b].MinTime);
            if (!podLabelsKept && (lo, hi) == RawSteps(blocks[b].MaxTime))
            {
                // Every line of the block is in the same windows (or in none).
                (lo, hi) = (Math.Max(0, lo), Math.Min(_times.Length - 1, hi));
                if (lo > hi)
                {
                    continue;
                }

                if (block.TryCount(blocks[b], lo, hi))
                {
                    BlocksCounted++;
                    continue;
                }
            }

            read[b] = any = true;
            BlocksRead++;
        }

        if (!any)
        {
            return;
        }

        // As VolumeCounter: with bytes every matching line holds (pod="x"), only lines holding them are parsed.
        var finder = query.RequiredLiteral() is { } literal ? new LiteralFinder(literal) : null;
        BlockScanner.Scan(file, read, newestFirst: false, (_, text) => CountLines(text, finder, first, last), cancellationToken);
    }

    /// <summary>
    /// Whether the series keep a pod label of this file: a value's companions are fixed labels only, so then its
    /// blocks are read line by line. A file with as many pod label names as the index holds may have more.
    /// </summary>
    private bool KeepsPodLabels(LabelValues labels)
    {
        if (labels.PodLabelNameCount >= LabelValues.MaxPodLabelNames)
        {
            return true;
        }

        for (int i = 0; i < labels.PodLabelNameCount; i++)
        {
            if (_keep(labels.PodLabelNameAt(i)))
            {
                return true;
            }
        }

        return false;
    }

    private bool CountLines(ReadOnlySpan<byte> data, LiteralFinder? finder, long first, long last)
    {
        while (!data.IsEmpty)
        {
            if (finder is not null)
            {
                int hit = finder.IndexOf(data);
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
            var parsed = StoredLine.Parse(line);
            if (parsed.TimeNs >= first && parsed.TimeNs <= last && _node.Query.MatchesStream(line, parsed))
            {
                var (lo, hi) = Steps(parsed.TimeNs);
                if (lo <= hi)
                {
                    Add(LokiLabels.Of(parsed.LabelStrings()), lo, hi, 1);
                }
            }
        }

        return true;
    }

    /// <summary>The steps k whose window (t_k − offset − range, t_k − offset] holds a line at this time.</summary>
    private (long Lo, long Hi) Steps(long timeNs)
    {
        var (lo, hi) = RawSteps(timeNs);
        return (Math.Max(0, lo), Math.Min(_times.Length - 1, hi));
    }

    /// <summary>The steps, not clamped to those asked for; lo &gt; hi when the time is between two windows.</summary>
    private (long Lo, long Hi) RawSteps(long timeNs) =>
        (CeilDiv(timeNs + _node.OffsetNs - _times[0], _stepNs), CeilDiv(timeNs + _node.OffsetNs + _node.RangeNs - _times[0], _stepNs) - 1);

    private void Add(KeyValuePair<string, string>[] labels, long lo, long hi, long count)
    {
        var kept = Array.FindAll(labels, l => _keep(l.Key));
        string key = LokiLabels.Key(kept);
        if (!_series.TryGetValue(key, out var series))
        {
            if ((long)(_series.Count + 1) * _times.Length > MetricEvaluator.MaxCells)
            {
                throw new MetricLimitException(
                    $"the query counts more than {MetricEvaluator.MaxCells} series × steps before aggregation "
                    + $"({_series.Count + 1} series × {_times.Length} steps): narrow the stream selector, shorten the range or raise step");
            }

            series = (kept, new long[_times.Length + 1]);
            _series.Add(key, series);
        }

        series.Lines[lo] += count;
        series.Lines[hi + 1] -= count;
    }

    private static long CeilDiv(long a, long b) => -FloorDiv(-a, b);

    private static long FloorDiv(long a, long b) => (a / b) - (a % b != 0 && a < 0 ? 1 : 0);

    /// <summary>Counting one file's blocks from the index: its value ids and what they decide.</summary>
    private sealed class BlockCounts(IndexedCounts owner, LabelValues labels)
    {
        private readonly List<(KeyValuePair<string, string>[] Labels, long Count)> _pending = [];

        // The labels of (value id, severity value id), or null when a needed label is not decided by them.
        private readonly Dictionary<(int, int), KeyValuePair<string, string>[]?> _labelsOf = [];

        // Per value id: 0 not decided yet, 1 the plan's matchers accept it, 2 they do not.
        private byte[] _accepted = [];

        public bool TryCount(IndexBlock block, long lo, long hi)
        {
            var plan = owner._plan;
            if ((block.Overflow & ((1 << (int)plan.Label) | (1 << (int)LogLabel.Severity))) != 0)
            {
                return false;
            }

            // Per severity code: the block's one spelling of it (-2: two) and whether the matchers accept it.
            const int Severities = SeverityCounts.Severities;
            Span<int> spelling = stackalloc int[Severities];
            spelling.Fill(-1);
            Span<sbyte> accepted = stackalloc sbyte[Severities];
            accepted.Fill(-1);
            foreach (ushort id in block.Values)
            {
                if (labels.LabelOf(id) != LogLabel.Severity)
                {
                    continue;
                }

                int s = SeverityIndex(labels.Utf8Of(id));
                sbyte ok = AllMatch(plan.Severity, labels.Utf8Of(id)) ? (sbyte)1 : (sbyte)0;
                if (accepted[s] >= 0 && accepted[s] != ok)
                {
                    // Two spellings of one code that the matchers tell apart: only the lines can say.
                    return false;
                }

                accepted[s] = ok;
                spelling[s] = spelling[s] == -1 ? id : -2;
            }

            _pending.Clear();
            Span<long> sums = stackalloc long[Severities];
            var counts = new SeverityCounts.Reader(block.Counts);
            foreach (ushort id in block.Values)
            {
                if (labels.LabelOf(id) != plan.Label || !Accepts(id))
                {
                    counts.SkipValue();
                    continue;
                }

                sums.Clear();
                counts.AddValue(sums);
                for (int s = 0; s < Severities; s++)
                {
                    if (sums[s] == 0 || accepted[s] != 1)
                    {
                        continue;
                    }

                    int severity = plan.Label == LogLabel.Severity ? id : spelling[s];
                    if (LabelsOf(id, severity) is not { } series)
                    {
                        return false;
                    }

                    _pending.Add((series, sums[s]));
                }
            }

            foreach (var (series, count) in _pending)
            {
                owner.Add(series, lo, hi, count);
            }

            return true;
        }

        /// <summary>The Loki labels of the lines holding value <paramref name="id"/> and this severity.</summary>
        private KeyValuePair<string, string>[]? LabelsOf(int id, int severity)
        {
            if (_labelsOf.TryGetValue((id, severity), out var known))
            {
                return known;
            }

            var stored = new string[LogLabels.Count];
            KeyValuePair<string, string>[]? result = null;
            for (int l = 0; l < LogLabels.Count; l++)
            {
                stored[l] = string.Empty;
                if (!owner._needed[l])
                {
                    continue;
                }

                int value = l == (int)owner._plan.Label ? id
                    : l == (int)LogLabel.Severity ? severity
                    : labels.CompanionOf(id, (LogLabel)l);
                if (value < 0)
                {
                    _labelsOf[(id, severity)] = null;
                    return null;
                }

                stored[l] = labels.ValueOf(value);
            }

            result = LokiLabels.Of(stored);
            _labelsOf[(id, severity)] = result;
            return result;
        }

        private bool Accepts(int id)
        {
            if (id >= _accepted.Length)
            {
                Array.Resize(ref _accepted, Math.Max(id + 1, labels.Count));
            }

            if (_accepted[id] == 0)
            {
                _accepted[id] = AllMatch(owner._plan.Matchers, labels.Utf8Of(id)) ? (byte)1 : (byte)2;
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

        private static int SeverityIndex(ReadOnlySpan<byte> name)
        {
            int code = LogLabels.SeverityCode(name);
            return code < 0 ? SeverityCounts.Severities - 1 : code;
        }
    }
}
