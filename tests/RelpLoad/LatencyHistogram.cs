namespace RelpLoad;

/// <summary>
/// Latencies in 10 µs buckets up to 10 s (the last bucket takes anything longer), counted with Interlocked from every
/// session's receive loop: percentiles without keeping millions of samples. The maximum is kept exactly.
/// </summary>
internal sealed class LatencyHistogram
{
    private const long BucketTicks = TimeSpan.TicksPerMillisecond / 100;
    private const int Buckets = 1_000_000;

    private readonly long[] _counts = new long[Buckets];
    private long _total;
    private long _maxTicks;

    public long Count => Interlocked.Read(ref _total);

    public TimeSpan Max => TimeSpan.FromTicks(Interlocked.Read(ref _maxTicks));

    public void Record(TimeSpan latency)
    {
        long ticks = Math.Max(0, latency.Ticks);
        Interlocked.Increment(ref _counts[(int)Math.Min(ticks / BucketTicks, Buckets - 1)]);
        Interlocked.Increment(ref _total);
        long max = Interlocked.Read(ref _maxTicks);
        while (ticks > max)
        {
            long seen = Interlocked.CompareExchange(ref _maxTicks, ticks, max);
            if (seen == max)
            {
                break;
            }

            max = seen;
        }
    }

    /// <summary>The upper edge of the bucket holding the <paramref name="fraction"/> quantile (0.5, 0.99).</summary>
    public TimeSpan Quantile(double fraction)
    {
        long total = Count;
        if (total == 0)
        {
            return TimeSpan.Zero;
        }

        long rank = (long)Math.Ceiling(total * fraction);
        long seen = 0;
        for (int i = 0; i < Buckets; i++)
        {
            seen += Interlocked.Read(ref _counts[i]);
            if (seen >= rank)
            {
                return TimeSpan.FromTicks((i + 1) * BucketTicks);
            }
        }

        return Max;
    }
}
