using Forwarder.Configuration;
using Forwarder.RateLimiting;
using Microsoft.Extensions.Configuration;

namespace Forwarder.Tests.Configuration;

public sealed class RateLimitSettingsTests
{
    [Fact]
    public void RateLimitsAreOffByDefault()
    {
        var options = Read(out var errors, []);
        Assert.Empty(errors);
        Assert.True(options.RateLimitPod.IsOff);
        Assert.True(options.RateLimitNamespace.IsOff);
    }

    [Fact]
    public void TheSwitchesAreReadAsRates()
    {
        Assert.True(CommandLine.TryParse(
            ["--rate-limit-pod", "500/s,burst=2000", "--rate-limit-namespace", "30000/m"], out var switches, out _, out string? error), error);
        var options = Read(out var errors, switches);
        Assert.Empty(errors);
        Assert.Equal(new RateLimit(500, TimeSpan.FromSeconds(1), 2000), options.RateLimitPod);
        Assert.Equal(new RateLimit(30000, TimeSpan.FromMinutes(1), 30000), options.RateLimitNamespace);
    }

    [Theory]
    [InlineData("Forwarder:RateLimitPod", "fast")]
    [InlineData("Forwarder:RateLimitNamespace", "500/h")]
    [InlineData("Forwarder:RateLimitPod", "0/s")]
    public void ABadRateIsAConfigurationErrorNamingItsKey(string key, string value)
    {
        Read(out var errors, new() { [key] = value });
        Assert.Equal($"{key} must be N/s or N/m (N from 1 to 1000000000), optionally ',burst=B', or off, was '{value}'", Assert.Single(errors));
    }

    [Fact]
    public void TheHelpNamesBothSwitches()
    {
        string help = CommandLine.HelpText();
        Assert.Contains("--rate-limit-pod <RATE>", help, StringComparison.Ordinal);
        Assert.Contains("--rate-limit-namespace <RATE>", help, StringComparison.Ordinal);
    }

    private static ForwarderOptions Read(out List<string> errors, Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return ForwarderOptionsReader.Read(configuration, out errors);
    }
}
