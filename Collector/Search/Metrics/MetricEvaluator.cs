using Collector.Storage.Index;

namespace Collector.Search.Metrics;

/// <summary>
/// Evaluates a metric expression at evenly spaced steps, as Loki's engine does: a range function at step t covers the
/// lines with t − offset − range &lt; time ≤ t − offset; a series has a value at a step only when its window holds a
/// line.
/// Each line adds to the steps whose windows hold it through a difference array, so a line costs the same whatever the
/// range and step.
/// </summary>
public sealed class MetricEvaluator(IndexStore store, ReadGate gate)
{
    /// <summary>Loki's default max_query_series.</summary>
    public const int MaxSeries = 500;

    /// <summary>Prometheus' and Loki's resolution limit.</summary>
    public const int MaxPoints = 11_000;

    /// <summary>Series times steps held while counting (before aggregation): 16 bytes each.</summary>
    public const long MaxCells = 4_000_000;

    /// <summary>
    /// Whether label-only counts are taken from the index's per-block counts (<see cref="IndexedCounts"/>); off, every
    /// matching line is read (what tests compare against).
    /// </summary>
    public bool UseIndexCounts { get; init; } = true;

    public Task<MetricResult> EvaluateAsync(MetricNode node, long startNs, long endNs, long stepNs, CancellationToken cancellationToken) =>
        gate.RunAsync(() => Evaluate(node, startNs, endNs, stepNs, cancellationToken), cancellationToken);

    public MetricResult Evaluate(MetricNode node, long startNs, long endNs, long stepNs, CancellationToken cancellationToken)
    {
        long points = ((endNs - startNs) / stepNs) + 1;
        if (points > MaxPoints)
        {
            throw new MetricLimitException(
                $"exceeded maximum resolution of {MaxPoints} points per timeseries. Try decreasing the query resolution (?step=XX)");
        }

        var times = new long[points];
        for (int k = 0; k < times.Length; k++)
        {
            times[k] = startNs + (k * stepNs);
        }

        var run = new Run(store, times, stepNs, UseIndexCounts, cancellationToken);
        var value = run.Evaluate(node);
        if (value.Series is { Count: > MaxSeries } series)
        {
            throw new MetricLimitException(
                $"maximum number of series ({MaxSeries}) reached for a single query; consider reducing query cardinality by adding more "
                + "specific stream selectors, reducing the time range, or aggregating results with operators like sum() or count() "
                + $"(the query has {series.Count})");
        }

        return new MetricResult(times, value.Scalar, value.Series ?? [])
        {
            BlocksCounted = run.BlocksCounted,
            BlocksRead = run.BlocksRead,
        };
    }

    private readonly record struct Value(double[]? Scalar, List<MetricSeries>? Series);

    private sealed class Run(IndexStore store, long[] times, long stepNs, bool useIndex, CancellationToken cancellationToken)
    {
        public long BlocksCounted { get; private set; }

        public long BlocksRead { get; private set; }

        public Value Evaluate(MetricNode node) => node switch
        {
            ScalarNode s => new Value(Enumerable.Repeat(s.Value, times.Length).ToArray(), null),
            VectorNode v => new Value(null, [new MetricSeries([], Enumerable.Repeat<double?>(v.Value, times.Length).ToArray())]),
            RangeNode r => new Value(null, FromIndex(r, _ => true) ?? Range(r)),

            // A sum of counts is the count of the lines of each group: the index can count per group directly.
            AggregateNode { Op: AggregateOp.Sum, Inner: RangeNode r } a when FromIndex(r, Keeps(a)) is { } summed =>
                new Value(null, summed),
            AggregateNode a => new Value(null, Aggregate(a, Evaluate(a.Inner))),
            BinaryNode b => Binary(b, Evaluate(b.Left), Evaluate(b.Right)),
            _ => throw new ArgumentOutOfRangeException(nameof(node)),
        };

        private static Func<string, bool> Keeps(AggregateNode node) =>
            node.Labels is not { } labels ? _ => false : name => node.Without != labels.Contains(name, StringComparer.Ordinal);

        private List<MetricSeries>? FromIndex(RangeNode node, Func<string, bool> keep)
        {
            if (!useIndex || IndexedCounts.For(node, keep, times, stepNs) is not { } counts)
            {
                return null;
            }

            var series = counts.Count(store, cancellationToken);
            BlocksCounted += counts.BlocksCounted;
            BlocksRead += counts.BlocksRead;
            return series;
        }

        private List<MetricSeries> Range(RangeNode node)
        {
            if (node.Function == RangeFunction.AbsentOverTime)
            {
                return Absent(node);
            }

            if (node.Query.Pipeline?.Unwrap is { } unwrap)
            {
                return Unwrapped(node, unwrap);
            }

            long first = times[0] - node.OffsetNs - node.RangeNs + 1;
            long last = times[^1] - node.OffsetNs;
            long start = times[0];
            int n = times.Length;
            var counts = new Dictionary<string, (KeyValuePair<string, string>[] Labels, long[] Lines, long[] Bytes)>(StringComparer.Ordinal);
            MatchingLines.Scan(
                store,
                node.Query,
                first,
                last + 1,
                (_, _, line, in parsed, piped) =>
                {
                    long ts = parsed.TimeNs;

                    // Steps k with ts ≤ t_k − offset < ts + range.
                    long lo = Math.Max(0, CeilDiv(ts + node.OffsetNs - start, stepNs));
                    long hi = Math.Min(n - 1, CeilDiv(ts + node.OffsetNs + node.RangeNs - start, stepNs) - 1);
                    if (lo > hi)
                    {
                        return;
                    }

                    string[]? stored = null;
                    KeyValuePair<string, string>[]? labels = null;
                    string key;
                    if (piped is null)
                    {
                        stored = parsed.LabelStrings();
                        key = string.Join('\u001f', stored);
                    }
                    else
                    {
                        labels = piped.Result();
                        if (piped.HasError)
                        {
                            // Loki refuses to aggregate lines a stage failed on rather than count them under a label
                            // set nobody asked for.
                            string labelPairs = string.Join(", ", labels.Select(l => $"{l.Key}=\"{l.Value}\""));
                            throw new MetricLimitException(
                                $"pipeline error: '{piped.Error}' for series: '{{{labelPairs}}}'. "
                                + $"Use a label filter to intentionally skip this error. (e.g | __error__!=\"{piped.Error}\"). "
                                + "To skip all errors use | __error__!=\"\".");
                        }

                        key = LokiLabels.Key(labels);
                    }

                    int length = piped is { LineChanged: true } ? System.Text.Encoding.UTF8.GetByteCount(piped.Line) : line.Length;
                    if (!counts.TryGetValue(key, out var series))
                    {
                        if ((long)(counts.Count + 1) * n > MaxCells)
                        {
                            throw new MetricLimitException(
                                $"the query counts more than {MaxCells} series × steps before aggregation "
                                + $"({counts.Count + 1} streams × {n} steps): "
                                + "narrow the stream selector, shorten the range or raise step");
                        }

                        series = (labels ?? LokiLabels.Of(stored!), new long[n + 1], new long[n + 1]);
                        counts.Add(key, series);
                    }

                    series.Lines[lo]++;
                    series.Lines[hi + 1]--;
                    series.Bytes[lo] += length;
                    series.Bytes[hi + 1] -= length;
                },
                cancellationToken);

            double seconds = node.RangeNs / 1e9;
            var result = new List<MetricSeries>(counts.Count);
            foreach (var (labels, lines, bytes) in counts.Values)
            {
                var values = new double?[n];
                long lineSum = 0, byteSum = 0;
                for (int k = 0; k < n; k++)
                {
                    lineSum += lines[k];
                    byteSum += bytes[k];
                    if (lineSum > 0)
                    {
                        values[k] = node.Function switch
                        {
                            RangeFunction.CountOverTime => lineSum,
                            RangeFunction.Rate => lineSum / seconds,
                            RangeFunction.BytesOverTime => byteSum,
                            _ => byteSum / seconds,
                        };
                    }
                }

                result.Add(new MetricSeries(labels, values));
            }

            return result;
        }

        /// <summary>
        /// <c>sum_over_time({…} | unwrap x [r])</c> and its siblings: each line's sample goes to its series (the labels
        /// after the pipeline, the unwrapped one removed); each step aggregates the samples of its window.
        /// </summary>
        private List<MetricSeries> Unwrapped(RangeNode node, Pipeline.Unwrap unwrap)
        {
            var samples = new Dictionary<string, (KeyValuePair<string, string>[] Labels, List<(long, double)> Samples)>(StringComparer.Ordinal);
            long total = 0;
            MatchingLines.Scan(
                store,
                node.Query,
                times[0] - node.OffsetNs - node.RangeNs + 1,
                times[^1] - node.OffsetNs + 1,
                (_, _, _, in parsed, piped) =>
                {
                    if (piped is null || unwrap.Sample(piped) is not { } value)
                    {
                        return;
                    }

                    var labels = piped.Result();
                    if (piped.HasError)
                    {
                        throw new MetricLimitException(
                            $"pipeline error: '{piped.Error}' for series: '{{{string.Join(", ", labels.Select(l => $"{l.Key}=\"{l.Value}\""))}}}'. "
                            + $"Use a label filter to intentionally skip this error. (e.g | __error__!=\"{piped.Error}\"). "
                            + "To skip all errors use | __error__!=\"\".");
                    }

                    if (++total > MaxCells)
                    {
                        throw new MetricLimitException(
                            $"the query unwraps more than {MaxCells} samples: narrow the stream selector or shorten the range");
                    }

                    if (node.GroupLabels is { } group)
                    {
                        // Loki groups an unwrapped range's samples before the function sees them.
                        labels = labels.Where(l => node.GroupWithout != group.Contains(l.Key, StringComparer.Ordinal)).ToArray();
                    }

                    string key = LokiLabels.Key(labels);
                    if (!samples.TryGetValue(key, out var series))
                    {
                        series = (labels, []);
                        samples.Add(key, series);
                    }

                    series.Samples.Add((parsed.TimeNs, value));
                },
                cancellationToken);

            return [.. samples.Values.Select(s => new MetricSeries(s.Labels, RangeOverSamples.Evaluate(node, s.Samples, times)))];
        }

        /// <summary>
        /// <c>absent_over_time</c>: 1 at the steps whose window holds no line (or no sample), under the labels of
        /// the selector's equality matchers, as Loki's absent labels; no series when every step has one.
        /// </summary>
        private List<MetricSeries> Absent(RangeNode node)
        {
            var presence = Range(node with
            {
                Function = node.Query.Pipeline?.Unwrap is null ? RangeFunction.CountOverTime : RangeFunction.LastOverTime,
            });
            var values = new double?[times.Length];
            for (int k = 0; k < values.Length; k++)
            {
                values[k] = presence.Any(s => s.Values[k].HasValue) ? null : 1;
            }

            var labels = node.Query.Terms[0].Matchers
                .Where(m => m.Op == MatchOp.Equal)
                .Select(m => KeyValuePair.Create(m.Name, m.Value))
                .DistinctBy(l => l.Key)
                .OrderBy(l => l.Key, StringComparer.Ordinal)
                .ToArray();
            return values.Any(v => v.HasValue) ? [new MetricSeries(labels, values)] : [];
        }

        private static long CeilDiv(long a, long b) => -FloorDiv(-a, b);

        private static long FloorDiv(long a, long b) => (a / b) - (a % b != 0 && a < 0 ? 1 : 0);

        private List<MetricSeries> Aggregate(AggregateNode node, Value inner)
        {
            if (inner.Series is not { } input)
            {
                throw new QueryParseException($"{node.Op.ToString().ToLowerInvariant()} needs a vector, not a scalar", 0);
            }

            if (node.Op is AggregateOp.Sort or AggregateOp.SortDesc)
            {
                return Sorted(input, node.Op == AggregateOp.SortDesc);
            }

            var groups = new Dictionary<string, (KeyValuePair<string, string>[] Labels, List<MetricSeries> Members)>(StringComparer.Ordinal);
            foreach (var series in input)
            {
                var labels = node.Labels is null ? []
                    : series.Labels.Where(l => node.Without != node.Labels.Contains(l.Key, StringComparer.Ordinal)).ToArray();
                string key = LokiLabels.Key(labels);
                if (!groups.TryGetValue(key, out var group))
                {
                    group = (labels, []);
                    groups.Add(key, group);
                }

                group.Members.Add(series);
            }

            if (node.Op is AggregateOp.TopK or AggregateOp.BottomK)
            {
                return Selected(groups.Values.Select(g => g.Members), node.Parameter, node.Op == AggregateOp.TopK);
            }

            var result = new List<MetricSeries>(groups.Count);
            foreach (var (labels, members) in groups.Values)
            {
                var values = new double?[times.Length];
                for (int k = 0; k < values.Length; k++)
                {
                    var present = members.Where(m => m.Values[k].HasValue).Select(m => m.Values[k]!.Value).ToList();
                    if (present.Count > 0)
                    {
                        values[k] = node.Op switch
                        {
                            AggregateOp.Sum => present.Sum(),
                            AggregateOp.Count => present.Count,
                            AggregateOp.Min => present.Min(),
                            AggregateOp.Max => present.Max(),
                            AggregateOp.Avg => present.Average(),
                            AggregateOp.Stdvar => Variance(present),
                            _ => Math.Sqrt(Variance(present)),
                        };
                    }
                }

                if (values.Any(v => v.HasValue))
                {
                    result.Add(new MetricSeries(labels, values));
                }
            }

            return result;
        }

        /// <summary>Population variance, as Prometheus' stdvar.</summary>
        private static double Variance(List<double> values)
        {
            double mean = values.Average();
            return values.Sum(v => (v - mean) * (v - mean)) / values.Count;
        }

        /// <summary>
        /// topk/bottomk: at each step, the k largest (smallest) values of each group keep their series and labels;
        /// ties go to the series whose labels sort first.
        /// </summary>
        private List<MetricSeries> Selected(IEnumerable<List<MetricSeries>> groups, int k, bool largest)
        {
            var kept = new Dictionary<MetricSeries, double?[]>(ReferenceEqualityComparer.Instance);
            foreach (var members in groups)
            {
                var ordered = members.OrderBy(m => LokiLabels.Key(m.Labels), StringComparer.Ordinal).ToList();
                for (int step = 0; step < times.Length; step++)
                {
                    var present = ordered.Where(m => m.Values[step].HasValue);
                    var chosen = largest
                        ? present.OrderByDescending(m => m.Values[step]!.Value).Take(k)
                        : present.OrderBy(m => m.Values[step]!.Value).Take(k);
                    foreach (var series in chosen)
                    {
                        if (!kept.TryGetValue(series, out var values))
                        {
                            values = new double?[times.Length];
                            kept.Add(series, values);
                        }

                        values[step] = series.Values[step];
                    }
                }
            }

            return [.. kept.Select(e => new MetricSeries(e.Key.Labels, e.Value))];
        }

        /// <summary>sort/sort_desc: the series ordered by their last value (an instant query's only one).</summary>
        private static List<MetricSeries> Sorted(List<MetricSeries> input, bool descending)
        {
            double Last(MetricSeries s) => s.Values.LastOrDefault(v => v.HasValue) ?? double.NaN;
            return descending ? [.. input.OrderByDescending(Last)] : [.. input.OrderBy(Last)];
        }

        private static Value Binary(BinaryNode node, Value left, Value right)
        {
            string op = node.Op;
            if (op is "and" or "or" or "unless")
            {
                return left.Series is { } lv && right.Series is { } rv
                    ? new Value(null, SetOperation(op, lv, rv))
                    : throw new QueryParseException($"{op} needs a vector on both sides, not a scalar", 0);
            }

            bool comparison = op is "==" or "!=" or ">" or ">=" or "<" or "<=";
            double? Combine(double a, double b, double keep)
            {
                if (!comparison)
                {
                    return Apply(op, a, b);
                }

                bool holds = Compare(op, a, b);
                return node.ReturnBool ? (holds ? 1 : 0) : holds ? keep : null;
            }

            if (left.Scalar is { } l && right.Scalar is { } r)
            {
                // Two numbers compare to 0 or 1 (Loki folds literal comparisons so).
                return new Value(l.Select((x, k) => comparison ? (Compare(op, x, r[k]) ? 1 : 0) : Apply(op, x, r[k])).ToArray(), null);
            }

            if (right.Scalar is { } rs)
            {
                return new Value(null, NonEmpty(left.Series!.Select(s => Map(s, s.Labels, k => rs[k], scalarLeft: false))));
            }

            if (left.Scalar is { } ls)
            {
                return new Value(null, NonEmpty(right.Series!.Select(s => Map(s, s.Labels, k => ls[k], scalarLeft: true))));
            }

            // Vector with vector: one-to-one on identical label sets.
            var byKey = ByKey(right.Series!);
            var result = new List<MetricSeries>();
            foreach (var s in left.Series!)
            {
                if (byKey.TryGetValue(LokiLabels.Key(s.Labels), out var other))
                {
                    var values = new double?[s.Values.Length];
                    for (int k = 0; k < values.Length; k++)
                    {
                        if (s.Values[k] is { } a && other.Values[k] is { } b)
                        {
                            values[k] = Combine(a, b, a);
                        }
                    }

                    if (values.Any(v => v.HasValue))
                    {
                        result.Add(new MetricSeries(s.Labels, values));
                    }
                }
            }

            return new Value(null, result);

            // A filtering comparison keeps the vector's own value, on whichever side the vector is.
            MetricSeries Map(MetricSeries s, KeyValuePair<string, string>[] labels, Func<int, double> scalar, bool scalarLeft) =>
                new(labels, s.Values.Select((v, k) => v is { } x ? Combine(scalarLeft ? scalar(k) : x,
                    scalarLeft ? x : scalar(k), x) : null).ToArray());
        }

        /// <summary>
        /// PromQL's set operators per step on identical label sets: <c>and</c> keeps the left sample where the right
        /// has one, <c>unless</c> where it has none, <c>or</c> adds the right's series whose labels the left lacks
        /// at that step.
        /// </summary>
        private static List<MetricSeries> SetOperation(string op, List<MetricSeries> left, List<MetricSeries> right)
        {
            var rightByKey = ByKey(right);
            var result = new List<MetricSeries>();
            foreach (var s in left)
            {
                rightByKey.TryGetValue(LokiLabels.Key(s.Labels), out var other);
                var values = s.Values.Select((v, k) => op switch
                {
                    "and" => other?.Values[k] is null ? null : v,
                    "unless" => other?.Values[k] is null ? v : null,
                    _ => v,
                }).ToArray();
                if (values.Any(v => v.HasValue))
                {
                    result.Add(new MetricSeries(s.Labels, values));
                }
            }

            if (op == "or")
            {
                var leftByKey = ByKey(left);
                foreach (var s in right)
                {
                    leftByKey.TryGetValue(LokiLabels.Key(s.Labels), out var mine);
                    var values = s.Values.Select((v, k) => mine?.Values[k] is null ? v : null).ToArray();
                    if (values.Any(v => v.HasValue))
                    {
                        result.Add(new MetricSeries(s.Labels, values));
                    }
                }
            }

            return result;
        }

        private static Dictionary<string, MetricSeries> ByKey(List<MetricSeries> series) =>
            series.GroupBy(s => LokiLabels.Key(s.Labels), StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

        /// <summary>A filtering comparison can leave a series without any value: it leaves the result.</summary>
        private static List<MetricSeries> NonEmpty(IEnumerable<MetricSeries> series) => [.. series.Where(s => s.Values.Any(v => v.HasValue))];

        private static double Apply(string op, double a, double b) => op switch
        {
            "+" => a + b,
            "-" => a - b,
            "*" => a * b,
            "/" => a / b,
            "^" => Math.Pow(a, b),
            _ => a % b,
        };

        private static bool Compare(string op, double a, double b) => op switch
        {
            "==" => a == b,
            "!=" => a != b,
            ">" => a > b,
            ">=" => a >= b,
            "<" => a < b,
            _ => a <= b,
        };
    }
}
