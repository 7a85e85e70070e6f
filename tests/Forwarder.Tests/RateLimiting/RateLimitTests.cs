using Forwarder.RateLimiting;

namespace Forwarder.Tests.RateLimiting;

public sealed class RateLimitTests
{
    [Theory]
    [InlineData("500/s", 500, 1, 500)]
    [InlineData(" 30000/m ", 30000, 60, 30000)]
    [InlineData("10/min", 10, 60, 10)]
    [InlineData("500/S,burst=2000", 500, 1, 2000)]
    [InlineData("1/second, burst=1", 1, 1, 1)]
    [InlineData("1000000000/s", 1_000_000_000, 1, 1_000_000_000)]
    public void ReadsARatePerSecondOrMinuteWithAnOptionalBurst(string text, long count, int seconds, long burst)
    {
        Assert.True(RateLimit.TryParse(text, out var limit, out string? why), why);
        Assert.Equal(new RateLimit(count, TimeSpan.FromSeconds(seconds), burst), limit);
        Assert.False(limit.IsOff);
    }

    [Theory]
    [InlineData("off")]
    [InlineData("OFF")]
    [InlineData("none")]
    public void OffMeansNoLimit(string text)
    {
        Assert.True(RateLimit.TryParse(text, out var limit, out _));
        Assert.True(limit.IsOff);
        Assert.Equal("off", limit.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("500")]
    [InlineData("0/s")]
    [InlineData("-5/s")]
    [InlineData("500/h")]
    [InlineData("500/")]
    [InlineData("/s")]
    [InlineData("fast/s")]
    [InlineData("1000000001/s")]
    [InlineData("500/s,burst=")]
    [InlineData("500/s,burst=0")]
    [InlineData("500/s,bucket=10")]
    [InlineData("5e2/s")]
    public void RefusesAnythingElseAndSaysWhatItMustBe(string text)
    {
        Assert.False(RateLimit.TryParse(text, out var limit, out string? why));
        Assert.True(limit.IsOff);
        Assert.Contains("N/s or N/m", why, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("500/s")]
    [InlineData("30000/m")]
    [InlineData("500/s,burst=2000")]
    public void PrintsAsItIsWritten(string text)
    {
        Assert.True(RateLimit.TryParse(text, out var limit, out _));
        Assert.Equal(text, limit.ToString());
    }
}
