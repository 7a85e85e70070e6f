namespace Forwarder.RateLimiting;

/// <summary>
/// The limits the lines of one pod are read under: the pod's own bucket (its annotation, else <c>--rate-limit-pod</c>),
/// its namespace's bucket (<c>--rate-limit-namespace</c>, shared by the namespace's pods), and what was skipped. Shared
/// by every file of the pod; only the tailing loop reads and changes the buckets.
/// </summary>
internal sealed class PodLimit(string ns, string pod, TokenBucket? namespaceBucket)
{
    // A throttled file is looked at again once this much of its rate is available, not after every token: each look
    // reads a chunk of the file, and 2 lines per 5 ms poll would read the same bytes over and over.
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(100);

    private long _skippedLines;
    private long _skippedBytes;

    public string Namespace { get; } = ns;

    public string Pod { get; } = pod;

    public TokenBucket? Bucket { get; private set; }

    public TokenBucket? NamespaceBucket { get; } = namespaceBucket;

    /// <summary>Lines skipped by the rate limit (a throttled file deleted before they were read).</summary>
    public long SkippedLines => Interlocked.Read(ref _skippedLines);

    public long SkippedBytes => Interlocked.Read(ref _skippedBytes);

    public bool IsLimited => Bucket is not null || NamespaceBucket is not null;

    /// <summary>Lines that may be read now.</summary>
    public long Available => Math.Min(Bucket?.Available ?? long.MaxValue, NamespaceBucket?.Available ?? long.MaxValue);

    public void Take(long lines)
    {
        Bucket?.Take(lines);
        NamespaceBucket?.Take(lines);
    }

    /// <summary>
    /// How long a throttled file waits before its next look: until a tenth of a second's lines are there.
    /// </summary>
    public TimeSpan UntilWorthReading() => Max(Wait(Bucket), Wait(NamespaceBucket));

    public void AddSkipped(long lines, long bytes)
    {
        Interlocked.Add(ref _skippedLines, lines);
        Interlocked.Add(ref _skippedBytes, bytes);
    }

    /// <summary>The pod's own limit: <see cref="RateLimit.Off"/> removes its bucket (the namespace's stays).</summary>
    public void SetLimit(RateLimit limit, TimeProvider time)
    {
        if (limit.IsOff)
        {
            Bucket = null;
        }
        else if (Bucket is null)
        {
            Bucket = new TokenBucket(limit, time);
        }
        else
        {
            Bucket.Change(limit);
        }
    }

    private static TimeSpan Wait(TokenBucket? bucket)
    {
        if (bucket is null)
        {
            return TimeSpan.Zero;
        }

        var limit = bucket.Limit;
        long tokens = Math.Max(1, (long)(limit.Count * (Gather / limit.Period)));
        return bucket.Until(tokens);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
