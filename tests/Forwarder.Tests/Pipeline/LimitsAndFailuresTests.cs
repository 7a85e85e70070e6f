using System.Globalization;
using TestSupport;

namespace Forwarder.Tests.Pipeline;

public sealed class LimitsAndFailuresTests
{
    [Fact]
    public async Task AMessageLongerThanTheLimitArrivesCutAndMarkedAndTheNextOneWhole()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("default", "api-0", "api", RuntimeFormat.Cri);
        await using var target = SyslogTestListener.Start(maxFrameLength: 1 << 20);
        await using var forwarder = await RotationTests.StartAsync(dir, tree, target.TcpPort);

        string huge = "start " + new string('y', 1_000_000);
        log.Append(huge);
        log.Append("after the huge one");

        var frames = await target.WaitForFramesAsync(2);
        var cut = ReceivedMessage.Parse(frames[0].Payload);
        Assert.Equal(huge.Length.ToString(CultureInfo.InvariantCulture), cut.Param("kube-syslog@32473", "truncated"));
        Assert.Equal(256 * 1024, cut.Syslog.Message.Length);
        Assert.StartsWith("start yyy", cut.Text, StringComparison.Ordinal);
        Assert.Equal("after the huge one", ReceivedMessage.Parse(frames[^1].Payload).Text);
        Assert.Contains("kubesyslog_forwarder_truncated_lines_total 1", await forwarder.MetricsAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFinalCriFragmentThatNeverEndsIsSentMarkedPartialAfterTheTimeout()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("default", "api-0", "api", RuntimeFormat.Cri);
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await RotationTests.StartAsync(dir, tree, target.TcpPort, "--partial-flush-timeout", "300ms");

        File.AppendAllText(log.RealPath, ContainerLog.TimeOf(0) + " stdout P the container died mid-line\n");

        var message = ReceivedMessage.Parse((await target.WaitForFramesAsync(1))[0].Payload);
        Assert.Equal("the container died mid-line", message.Text);
        Assert.Equal("true", message.Param("kube-syslog@32473", "partial"));
        Assert.Equal(ContainerLog.SyslogTimeOf(0), message.Syslog.Timestamp.ToString());
    }

    [Fact]
    public async Task AFileThatFailsToReadIsRetriedAndTheOthersKeepFlowing()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var good = tree.AddContainer("default", "good-0", "app", RuntimeFormat.Cri);

        // A regular file whose read fails with EIO even for root: this process's memory at address 0.
        File.CreateSymbolicLink(Path.Combine(tree.ContainersDirectory, "bad-0_default_app-" + new string('a', 64) + ".log"), "/proc/self/mem");
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await RotationTests.StartAsync(dir, tree, target.TcpPort);

        good.AppendMany(RotationTests.Lines("good", 100));
        var texts = await RotationTests.TextsAsync(target, 100);
        Assert.Equal(RotationTests.Lines("good", 100), texts);
        good.AppendMany(RotationTests.Lines("more", 100));
        Assert.Equal([.. RotationTests.Lines("good", 100), .. RotationTests.Lines("more", 100)], await RotationTests.TextsAsync(target, 200));

        // The bad file is still there, being retried: it was found, not skipped.
        Assert.Contains("kubesyslog_forwarder_files_watched 2\n", await forwarder.MetricsAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthAndMetricsAnswerOverHttp()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("default", "api-0", "api", RuntimeFormat.Docker);
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await RotationTests.StartAsync(dir, tree, target.TcpPort);
        log.AppendMany(RotationTests.Lines("m", 10));
        await target.WaitForFramesAsync(10);

        using var http = new HttpClient();
        Assert.Equal("ok\n", await http.GetStringAsync(new Uri(forwarder.Http, "/healthz")));
        await Wait.UntilAsync(
            () => forwarder.MetricsAsync().Result
                .Contains("kubesyslog_forwarder_shipped_lines_total 10\n", StringComparison.Ordinal),
            "10 shipped lines in the metrics");
        string metrics = await forwarder.MetricsAsync();
        Assert.Contains("kubesyslog_forwarder_read_lines_total 10\n", metrics, StringComparison.Ordinal);
        Assert.Contains("kubesyslog_forwarder_files_watched 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains($"kubesyslog_forwarder_file_lag_bytes{{path=\"{log.LinkPath}\"}} 0\n", metrics, StringComparison.Ordinal);
        Assert.Contains(
            $"kubesyslog_forwarder_target_sent_lines_total{{target=\"tcp://127.0.0.1:{target.TcpPort}\"}} 10\n",
            metrics,
            StringComparison.Ordinal);
        Assert.Contains("kubesyslog_forwarder_dropped_lines_total{reason=\"udp_send_failed\"} 0\n", metrics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--to", "http://collector:80" }, "Forwarder:Targets:0 has an unknown scheme 'http'")]
    [InlineData(new[] { "--include", "relative/*.log" }, "Forwarder:Include:0 must be an absolute glob")]
    [InlineData(new[] { "--bogus" }, "unknown argument '--bogus' (see --help)")]
    public void BadSettingsStopTheStartWithTheKeyNamed(string[] args, string expected)
    {
        using var dir = TempDirectory.Create();
        var app = ForwarderApp.Build([.. args, "--state", dir.Combine("state")], out var errors);
        Assert.Null(app);
        Assert.StartsWith(expected, Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void AStateDirectoryThatCannotBeWrittenStopsTheStart()
    {
        using var dir = TempDirectory.Create();
        File.WriteAllText(dir.Combine("file"), "x");
        var app = ForwarderApp.Build(["--state", dir.Combine("file", "state")], out var errors);
        Assert.Null(app);
        Assert.StartsWith("Forwarder:State must be a writable directory", Assert.Single(errors), StringComparison.Ordinal);
    }
}
