namespace Forwarder.RateLimiting;

/// <summary>
/// A token bucket on a <see cref="TimeProvider"/>'s timestamps: <see cref="RateLimit.Count"/> tokens per period, at
/// most <see cref="RateLimit.Burst"/> saved up, full at the start. Exact integer arithmetic: credit is kept in
/// token·ticks (one token is one period's ticks of credit; every elapsed tick adds Count), so no fraction of a token is
/// ever lost or made up, however often it is asked. Only the tailing loop uses it (no locks).
/// </summary>
/// <remarks>
/// Not <c>System.Threading.RateLimiting.TokenBucketRateLimiter</c>: it takes its time from <c>Stopwatch</c> (also when
/// replenished by hand), so a test cannot drive it with a fake clock, and it hands out leases one request at a time,
/// while the loop needs "how many lines may I read now" and "when will there be more".
/// </remarks>
internal sealed class TokenBucket
{
    private readonly TimeProvider _time;
    private RateLimit _limit;
    private Int128 _periodTicks;
    private Int128 _credit;
    private long _stamp;

    public TokenBucket(RateLimit limit, TimeProvider time)
    {
        _time = time;
        _stamp = time.GetTimestamp();
        _limit = limit;
        Set(limit);
        _credit = limit.Burst * _periodTicks;
    }

    public RateLimit Limit => _limit;

    /// <summary>Whole tokens available now.</summary>
    public long Available
    {
        get
        {
            Refill();
            return (long)(_credit / _periodTicks);
        }
    }

    /// <summary>Takes <paramref name="tokens"/> (at most <see cref="Available"/>).</summary>
    public void Take(long tokens)
    {
        Refill();
        _credit = Int128.Max(0, _credit - (tokens * _periodTicks));
    }

    /// <summary>
    /// How long until <paramref name="tokens"/> (at most the burst) are available; zero when they are.
    /// </summary>
    public TimeSpan Until(long tokens)
    {
        Refill();
        Int128 want = Math.Min(tokens, _limit.Burst) * _periodTicks;
        if (_credit >= want)
        {
            return TimeSpan.Zero;
        }

        Int128 ticks = ((want - _credit) + _limit.Count - 1) / _limit.Count;
        return TimeSpan.FromTicks((long)Int128.Min(ticks * TimeSpan.TicksPerSecond / _time.TimestampFrequency, TimeSpan.MaxValue.Ticks) + 1);
    }

    /// <summary>
    /// A new limit (the pod's annotation changed): the whole tokens saved so far stay, up to the new burst.
    /// </summary>
    public void Change(RateLimit limit)
    {
        if (limit == _limit)
        {
            return;
        }

        Refill();
        long tokens = Math.Min((long)(_credit / _periodTicks), limit.Burst);
        Set(limit);
        _credit = tokens * _periodTicks;
    }

    private void Set(RateLimit limit)
    {
        if (limit.IsOff)
        {
            throw new ArgumentException("a token bucket needs a limit", nameof(limit));
        }

        _limit = limit;
        _periodTicks = Int128.Max(1, (Int128)limit.Period.Ticks * _time.TimestampFrequency / TimeSpan.TicksPerSecond);
    }

    private void Refill()
    {
        long now = _time.GetTimestamp();
        long elapsed = now - _stamp;
        if (elapsed <= 0)
        {
            return;
        }

        _stamp = now;
        _credit = Int128.Min(_credit + ((Int128)elapsed * _limit.Count), _limit.Burst * _periodTicks);
    }
}
