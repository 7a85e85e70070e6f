namespace Collector.Search.Metrics;

/// <summary>
/// The unwrapped range functions over one series' samples sorted by time (Prometheus' <c>*_over_time</c>, as Loki
/// evaluates them): the samples of a window (t − offset − range, t − offset].
/// </summary>
internal static class RangeOverSamples
{
    public static double?[] Evaluate(RangeNode node, List<(long Ts, double Value)> samples, long[] times)
    {
        samples.Sort((a, b) => a.Ts.CompareTo(b.Ts));
        var values = new double?[times.Length];
        int lo = 0, hi = 0;
        for (int k = 0; k < times.Length; k++)
        {
            long end = times[k] - node.OffsetNs;
            long start = end - node.RangeNs;
            while (hi < samples.Count && samples[hi].Ts <= end)
            {
                hi++;
            }

            while (lo < hi && samples[lo].Ts <= start)
            {
                lo++;
            }

            if (lo < hi)
            {
                values[k] = Aggregate(node, samples, lo, hi);
            }
        }

        return values;
    }

    private static double Aggregate(RangeNode node, List<(long Ts, double Value)> samples, int lo, int hi)
    {
        int n = hi - lo;
        switch (node.Function)
        {
            case RangeFunction.FirstOverTime:
                return samples[lo].Value;
            case RangeFunction.LastOverTime:
                return samples[hi - 1].Value;
            case RangeFunction.QuantileOverTime:
                return Quantile(node.Parameter, samples.Skip(lo).Take(n).Select(s => s.Value).Order().ToList());
            default:
                break;
        }

        double sum = 0, min = double.PositiveInfinity, max = double.NegativeInfinity;
        for (int i = lo; i < hi; i++)
        {
            double v = samples[i].Value;
            sum += v;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }

        double mean = sum / n;
        double variance = 0;
        if (node.Function is RangeFunction.StddevOverTime or RangeFunction.StdvarOverTime)
        {
            for (int i = lo; i < hi; i++)
            {
                variance += (samples[i].Value - mean) * (samples[i].Value - mean);
            }

            variance /= n;
        }

        return node.Function switch
        {
            RangeFunction.SumOverTime => sum,
            RangeFunction.AvgOverTime => mean,
            RangeFunction.MinOverTime => min,
            RangeFunction.MaxOverTime => max,
            RangeFunction.StdvarOverTime => variance,
            RangeFunction.StddevOverTime => Math.Sqrt(variance),
            RangeFunction.Rate => sum / (node.RangeNs / 1e9),
            _ => n,
        };
    }

    /// <summary>
    /// Prometheus' quantile: linear interpolation between the closest ranks; −Inf below 0, +Inf above 1.
    /// </summary>
    private static double Quantile(double q, List<double> sorted)
    {
        if (q < 0)
        {
            return double.NegativeInfinity;
        }

        if (q > 1)
        {
            return double.PositiveInfinity;
        }

        double rank = q * (sorted.Count - 1);
        int below = (int)Math.Max(0, Math.Floor(rank));
        int above = (int)Math.Min(sorted.Count - 1, below + 1);
        double weight = rank - Math.Floor(rank);
        return (sorted[below] * (1 - weight)) + (sorted[above] * weight);
    }
}
