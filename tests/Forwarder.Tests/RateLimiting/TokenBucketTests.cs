using Forwarder.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace Forwarder.Tests.RateLimiting;

public sealed class TokenBucketTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void StartsFullAndRefillsExactlyTheRatePerPeriod()
    {
        var bucket = new TokenBucket(new RateLimit(500, TimeSpan.FromSeconds(1), 500), _time);
        Assert.Equal(500, bucket.Available);
        bucket.Take(500);
        Assert.Equal(0, bucket.Available);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(500, bucket.Available);
    }

    [Fact]
    public void NoFractionOfATokenIsLostWhenAskedOften()
    {
        // 500/s is half a token per millisecond: asked every millisecond for ten seconds, exactly 5000 come.
        var bucket = new TokenBucket(new RateLimit(500, TimeSpan.FromSeconds(1), 500), _time);
        bucket.Take(500);
        long taken = 0;
        for (int ms = 0; ms < 10_000; ms++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(1));
            long available = bucket.Available;
            bucket.Take(available);
            taken += available;
        }

        Assert.Equal(5000, taken);
    }

    [Fact]
    public void APerMinuteRateAccruesOneTokenPerItsShareOfTheMinute()
    {
        var bucket = new TokenBucket(new RateLimit(60, TimeSpan.FromMinutes(1), 60), _time);
        bucket.Take(60);
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(0, bucket.Available);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, bucket.Available);
    }

    [Fact]
    public void SavesUpNoMoreThanTheBurstEvenAfterDaysIdle()
    {
        var bucket = new TokenBucket(new RateLimit(1_000_000_000, TimeSpan.FromSeconds(1), 2_000_000_000), _time);
        bucket.Take(2_000_000_000);
        _time.Advance(TimeSpan.FromDays(400));
        Assert.Equal(2_000_000_000, bucket.Available);
    }

    [Fact]
    public void SaysHowLongUntilTheTokensAreThere()
    {
        var bucket = new TokenBucket(new RateLimit(500, TimeSpan.FromSeconds(1), 500), _time);
        Assert.Equal(TimeSpan.Zero, bucket.Until(50));
        bucket.Take(500);
        var wait = bucket.Until(50);
        Assert.InRange(wait, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100.01));
        _time.Advance(wait);
        Assert.Equal(50, bucket.Available);

        // More than the burst can never be there at once: the wait is for a full bucket.
        bucket.Take(50);
        Assert.InRange(bucket.Until(10_000), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1.0001));
    }

    [Fact]
    public void ANewLimitKeepsTheSavedTokensUpToItsBurst()
    {
        var bucket = new TokenBucket(new RateLimit(500, TimeSpan.FromSeconds(1), 500), _time);
        bucket.Take(100);
        bucket.Change(new RateLimit(10, TimeSpan.FromSeconds(1), 10));
        Assert.Equal(10, bucket.Available);
        bucket.Take(10);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(10, bucket.Available);

        bucket.Change(new RateLimit(1000, TimeSpan.FromSeconds(1), 1000));
        Assert.Equal(10, bucket.Available);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1000, bucket.Available);
    }
}
