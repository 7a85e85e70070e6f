using System.Globalization;
using Forwarder.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TestSupport;
using static Forwarder.Tests.Pipeline.RotationTests;

namespace Forwarder.Tests.Pipeline;

/// <summary>
/// Per-pod rate limits through the real tailing loop, real files and a real socket. The buckets run on a fake clock
/// that only the test moves, so "lines per second" is counted per second of that clock: while it stands still, no more
/// lines may come, however long the test waits; each second it is moved on, exactly the rate more.
/// </summary>
public sealed class RateLimitTests
{
    private const string Marker = "kube-syslog@32473";

    [Fact]
    public async Task TheLimitHoldsPerSecondAndEveryLineArrivesInOrderWhenItOnlyDelays()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("shop", "noisy", "app", RuntimeFormat.Cri);
        var clock = new FakeTimeProvider();
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await StartAsync(dir, tree, target, clock, "--rate-limit-pod", "100/s");

        var lines = Lines("noisy", 350);
        log.AppendMany(lines);

        // The burst (one second's worth) at once, then nothing while the clock stands still.
        Assert.Equal(lines[..100], await TextsAsync(target, 100));
        Assert.Equal(1, PodMetadataTests.Metric(forwarder, "rate_limited_files"));
        foreach (int expected in new[] { 200, 300, 350 })
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(lines[..expected], await TextsAsync(target, expected));
        }

        Assert.Equal(0, PodMetadataTests.Metric(forwarder, "rate_limited_files"));
    }

    [Fact]
    public async Task ANoisyPodHeldByItsLimitDoesNotHoldUpAnotherPod()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var noisy = tree.AddContainer("shop", "noisy", "app", RuntimeFormat.Cri);
        var quiet = tree.AddContainer("shop", "quiet", "app", RuntimeFormat.Docker);
        var clock = new FakeTimeProvider();
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await StartAsync(dir, tree, target, clock, "--rate-limit-pod", "100/s");

        var noisyLines = Lines("noisy", 1000);
        noisy.AppendMany(noisyLines);
        await target.WaitForFramesAsync(100);

        // The noisy pod is held at its burst; the quiet pod's lines (within its own limit) all come meanwhile, each
        // write on its own, with the clock standing still.
        var quietLines = Lines("quiet", 40);
        for (int i = 0; i < quietLines.Count; i++)
        {
            quiet.Append(quietLines[i]);
            await target.WaitForFramesAsync(101 + i);
        }

        var held = await MessagesAsync(target, 140);
        Assert.Equal(noisyLines[..100], held.Where(m => m.Pod == "noisy").Select(m => m.Text));
        Assert.Equal(quietLines, held.Where(m => m.Pod == "quiet").Select(m => m.Text));

        // A full bucket holds one second's worth: the clock moves a second at a time.
        for (int second = 1; second <= 9; second++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await target.WaitForFramesAsync(140 + (100 * second));
        }

        var all = await MessagesAsync(target, 1040);
        Assert.Equal(noisyLines, all.Where(m => m.Pod == "noisy").Select(m => m.Text));
        Assert.Equal(quietLines, all.Where(m => m.Pod == "quiet").Select(m => m.Text));
        Assert.Equal(1040, all.Count);
    }

    [Fact]
    public async Task ANamespaceLimitIsSharedByItsPodsAndLeavesOtherNamespacesAlone()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var a = tree.AddContainer("shop", "a", "app", RuntimeFormat.Cri);
        var b = tree.AddContainer("shop", "b", "app", RuntimeFormat.Cri);
        var other = tree.AddContainer("billing", "c", "app", RuntimeFormat.Cri);
        var clock = new FakeTimeProvider();
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await StartAsync(dir, tree, target, clock, "--rate-limit-namespace", "50/s");

        a.AppendMany(Lines("a", 40));
        await target.WaitForFramesAsync(40);
        b.AppendMany(Lines("b", 40));
        other.AppendMany(Lines("c", 40));

        // shop had 10 tokens left for b; billing has a bucket of its own.
        var messages = await MessagesAsync(target, 90);
        Assert.Equal(Lines("a", 40), messages.Where(m => m.Pod == "a").Select(m => m.Text));
        Assert.Equal(Lines("b", 10), messages.Where(m => m.Pod == "b").Select(m => m.Text));
        Assert.Equal(Lines("c", 40), messages.Where(m => m.Pod == "c").Select(m => m.Text));

        clock.Advance(TimeSpan.FromSeconds(1));
        messages = await MessagesAsync(target, 120);
        Assert.Equal(Lines("b", 40), messages.Where(m => m.Pod == "b").Select(m => m.Text));
        Assert.Equal(120, messages.Count);
    }

    [Fact]
    public async Task LinesOfALimitedFileDeletedBeforeTheyWereReadAreReplacedByAMarkerWithTheirExactCount()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("shop", "noisy", "app", RuntimeFormat.Cri);
        var clock = new FakeTimeProvider();
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await StartAsync(dir, tree, target, clock, "--rate-limit-pod", "10/s", "--rotate-wait", "200ms");

        var lines = Lines("noisy", 100);
        log.AppendMany(lines);
        Assert.Equal(lines[..10], await TextsAsync(target, 10));
        long readBytes = Enumerable.Range(0, 10).Sum(i => (long)log.Render(lines[i], i, stderr: false).Length);

        // kubelet rotates; the new file gets lines; then the rotated one is deleted (compressed away) unread.
        string rotated = log.RotateLikeKubelet("20261206-150000");
        long skippedBytes = new FileInfo(rotated).Length - readBytes;
        await Wait.UntilAsync(() => forwarder.Tailing.Files.Count == 2, "the rotation to be noticed");
        var after = Lines("after", 5);
        log.AppendMany(after);
        File.Delete(rotated);

        // The marker in place of the 90 lines, then nothing: the new file waits for tokens too.
        var messages = await MessagesAsync(target, 11);
        Assert.Equal(lines[..10], messages[..10].Select(m => m.Text));
        var marker = messages[10];
        Assert.Equal(
            $"90 lines of pod shop/noisy skipped by rate limit (container app, {skippedBytes} bytes: the file was deleted before they were read)",
            marker.Text);
        Assert.Equal("90", marker.Param(Marker, "skipped"));
        Assert.Equal(("shop", "noisy", "app"), (marker.Namespace, marker.Pod, marker.Container));
        Assert.Equal(90, SkippedLines(await forwarder.MetricsAsync(), "shop", "noisy"));

        clock.Advance(TimeSpan.FromSeconds(1));
        messages = await MessagesAsync(target, 16);
        Assert.Equal([.. lines[..10], marker.Text, .. after], messages.Select(m => m.Text));

        // The pod goes: its series on /metrics go with its files.
        File.Delete(log.LinkPath);
        File.Delete(log.RealPath);
        await Wait.UntilAsync(() => forwarder.Tailing.Files.Count == 0, "the pod's files to be closed and forgotten");

        // The pod's limit is let go once its last file is (a step after the tailer's list: under load a scrape fell
        // between the two).
        await Wait.UntilAsync(
            async () => SkippedLines(await forwarder.MetricsAsync(), "shop", "noisy") is null,
            "the pod's skipped-lines series to go");
    }

    [Fact]
    public async Task ALimitedFileRotatedButStillOnDiskIsReadToItsEndWithoutSkipping()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("shop", "noisy", "app", RuntimeFormat.Docker);
        var clock = new FakeTimeProvider();
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await StartAsync(dir, tree, target, clock, "--rate-limit-pod", "20/s", "--rotate-wait", "200ms");

        var before = Lines("before", 50);
        log.AppendMany(before);
        await target.WaitForFramesAsync(20);
        log.RotateLikeDocker();
        var after = Lines("after", 10);
        log.AppendMany(after);

        clock.Advance(TimeSpan.FromSeconds(1));
        await target.WaitForFramesAsync(40);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([.. before, .. after], await TextsAsync(target, 60));
        Assert.Equal(0, SkippedLines(await forwarder.MetricsAsync(), "shop", "noisy") ?? 0);
    }

    internal static Task<RunningForwarder> StartAsync(
        TempDirectory dir, NodeLogTree tree, SyslogTestListener target, FakeTimeProvider clock, params string[] extra) =>
        RunningForwarder.StartAsync(
            dir,
            tree.ContainersGlob,
            [$"tcp://127.0.0.1:{target.TcpPort}"],
            builder => builder.Services.AddKeyedSingleton<TimeProvider>(RateLimits.ClockKey, clock),
            ["--multiline", "off", .. extra]);

    internal static async Task<List<ReceivedMessage>> MessagesAsync(SyslogTestListener target, int count)
    {
        var frames = await target.WaitForQuietAsync(count, TimeSpan.FromSeconds(30));
        return [.. frames.Select(f => ReceivedMessage.Parse(f.Payload))];
    }

    /// <summary>The pod's <c>rate_limit_skipped_lines_total</c>, or null when it has no series.</summary>
    private static double? SkippedLines(string metrics, string ns, string pod)
    {
        string prefix = $"kubesyslog_forwarder_rate_limit_skipped_lines_total{{namespace=\"{ns}\",pod=\"{pod}\"}} ";
        string? line = metrics.Split('\n').SingleOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line is null ? null : double.Parse(line[prefix.Length..], CultureInfo.InvariantCulture);
    }
}
