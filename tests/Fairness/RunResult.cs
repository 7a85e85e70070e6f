namespace Fairness;

/// <summary>What one run measured. <see cref="Delivery"/> is null when every line arrived once, in order.</summary>
internal sealed record RunResult(
    Latencies Baseline,
    Latencies DuringBacklog,
    long BacklogBytes,
    double WriteSeconds,
    double DrainSeconds,
    string LoadAverage,
    string? Delivery)
{
    public double DrainMegabytesPerSecond => BacklogBytes / (1024.0 * 1024) / DrainSeconds;
}

/// <summary>Quiet-pod latencies of one phase, in milliseconds (nearest-rank percentiles).</summary>
internal sealed record Latencies(int Count, double P50, double P99, double Max)
{
    public static Latencies Of(List<double> values)
    {
        if (values.Count == 0)
        {
            return new Latencies(0, double.NaN, double.NaN, double.NaN);
        }

        values.Sort();
        return new Latencies(values.Count, Rank(values, 0.50), Rank(values, 0.99), values[^1]);
    }

    private static double Rank(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
