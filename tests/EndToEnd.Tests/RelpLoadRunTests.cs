using System.Text.RegularExpressions;
using TestSupport;
using Xunit.Abstractions;

namespace EndToEnd.Tests;

/// <summary>
/// The RELP load generator (tests/RelpLoad) in a short run against each receiver it measures: the Collector
/// (Collector.dll) and rsyslog's imrelp, the peer its figures are quoted next to (docs/relp.md). The latency and
/// memory verdicts depend on the machine and are not asserted; what each receiver stored is: every message once, in
/// order, and every one answered.
/// </summary>
public sealed partial class RelpLoadRunTests(ITestOutputHelper output)
{
    private const int Sessions = 40;
    private const int Rate = 20;
    private const int Seconds = 3;
    private const int Messages = Sessions * Rate * Seconds;

    [Fact]
    public async Task CollectorStoresAndAnswersEveryMessageOnce()
    {
        string report = await RunAsync(["--collector", Binaries.CollectorDll]);

        Assert.Matches(ReceiverLine("collector"), report);
        AssertDelivered(report);
        Assert.Contains($"collector: {Messages} acknowledged, 0 fsyncs", report, StringComparison.Ordinal);
    }

    [PeerFact("rsyslogd", "imrelp.so")]
    public async Task RsyslogImrelpStoresAndAnswersEveryMessageOnce()
    {
        string report = await RunAsync(["--receiver", "rsyslog"]);

        Assert.Matches(ReceiverLine("rsyslog"), report);
        Assert.Contains("(imrelp, main queue Direct)", report, StringComparison.Ordinal);
        AssertDelivered(report);
    }

    [Theory]
    [InlineData(new[] { "--receiver", "syslog-ng" }, "--receiver must be collector or rsyslog, was 'syslog-ng'")]
    [InlineData(new[] { "--receiver", "rsyslog", "--ack-after", "fsync" }, "apply to the Collector, not to rsyslog")]
    [InlineData(new[] { "--receiver", "rsyslog", "--", "--max-message-size", "8KiB" }, "apply to the Collector, not to rsyslog")]
    [InlineData(new[] { "--sessions", "10" }, "--collector PATH (the published Collector, or Collector.dll) is required")]
    public async Task BadArgumentsAreRefusedWithTheReason(string[] arguments, string reason)
    {
        var result = await ProcessRunner.RunAsync("dotnet", [Binaries.RelpLoadDll, .. arguments], TimeSpan.FromSeconds(60));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(reason, result.StandardError, StringComparison.Ordinal);
        Assert.Contains("usage: RelpLoad", result.StandardError, StringComparison.Ordinal);
    }

    private static Regex ReceiverLine(string receiver) => new($"(?m)^{receiver} pid [1-9][0-9]* on 127\\.0\\.0\\.1:[0-9]+ ");

    private static void AssertDelivered(string report)
    {
        Assert.Contains($"sent {Messages}, acknowledged {Messages}, refused 0 in ", report, StringComparison.Ordinal);
        Assert.Contains("sessions failed: 0", report, StringComparison.Ordinal);
        Assert.Contains($"stored: {Messages} lines; acknowledged but not stored 0, duplicates 0, skipped 0, other lines 0, " +
            "stored but never sent 0", report, StringComparison.Ordinal);
        Assert.Contains("ok   delivery: 0 lost, 0 duplicates, 0 skipped", report, StringComparison.Ordinal);
        Assert.Contains($"ok   all answered: {Messages} of {Messages}", report, StringComparison.Ordinal);
    }

    private async Task<string> RunAsync(string[] receiver)
    {
        var result = await ProcessRunner.RunAsync(
            "dotnet",
            [Binaries.RelpLoadDll, .. receiver, "--sessions", $"{Sessions}", "--rate", $"{Rate}", "--seconds", $"{Seconds}"],
            TimeSpan.FromMinutes(3));
        output.WriteLine(result.StandardOutput);
        output.WriteLine(result.StandardError);

        // 0 when every target was met, 1 when one was missed (latency or memory on a busy machine); 2 is bad arguments.
        Assert.True(result.ExitCode is 0 or 1, $"exit code {result.ExitCode}:\n{result.StandardError}");
        return result.StandardOutput;
    }
}
