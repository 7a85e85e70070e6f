using Forwarder.Metadata;
using Forwarder.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TestSupport;
using static Forwarder.Tests.Pipeline.RotationTests;

namespace Forwarder.Tests.Pipeline;

/// <summary>
/// The <c>kube-syslog.io/multiline</c> and <c>kube-syslog.io/rate-limit</c> annotations, set on pods of the stand-in
/// API server, on real files shipped to a real socket: each wins over the switches for its pod, and a change made while
/// the pod runs is followed from the next line on.
/// </summary>
public sealed class AnnotationTests
{
    private static readonly string[] Trace =
    [
        "Exception in thread \"main\" java.lang.IllegalStateException: cart is empty",
        "\tat com.shop.Cart.checkout(Cart.java:118)",
        "\tat com.shop.Main.main(Main.java:9)",
        "Caused by: java.util.NoSuchElementException",
        "\tat java.base/java.util.ArrayList.getFirst(ArrayList.java:439)",
        "\t... 1 more",
    ];

    [Fact]
    public async Task TheMultilineAnnotationSwitchesAPodToJavaWhileItRuns()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        await using var server = await FakeKubeApiServer.StartAsync();
        var log = tree.AddContainer("shop", "web", "app", RuntimeFormat.Cri);
        server.Add(KubePods.Bare("shop", log.Pod, log.Uid, "node-1"));
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await StartAsync(dir, server, tree, target, null, "--multiline", "off", "--multiline-flush-timeout", "300ms");

        // Joining is off for this Forwarder: the trace arrives line by line.
        log.AppendMany([.. Trace, "GET /a 200"]);
        Assert.Equal([.. Trace, "GET /a 200"], await TextsAsync(target, 7));

        server.Modify(log.Uid, p => p.WithAnnotation(PodAnnotations.MultilineAnnotation, "java"));
        await Wait.UntilAsync(
            () => forwarder.Tailing.Files.Single().Metadata?.Annotations.Multiline is not null,
            "the changed annotation to reach the tailer");
        log.AppendMany([.. Trace, "GET /b 200"]);
        Assert.Equal([.. Trace, "GET /a 200", string.Join('\n', Trace), "GET /b 200"], await TextsAsync(target, 9));
    }

    [Fact]
    public async Task MultilineOffKeepsAPodsLinesApartWhileOtherPodsAreJoined()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        await using var server = await FakeKubeApiServer.StartAsync();
        var apart = tree.AddContainer("shop", "apart", "app", RuntimeFormat.Docker);
        server.Add(KubePods.Bare("shop", apart.Pod, apart.Uid, "node-1").WithAnnotation(PodAnnotations.MultilineAnnotation, "off"));
        var joined = tree.AddContainer("shop", "joined", "app", RuntimeFormat.Docker);
        server.Add(KubePods.Bare("shop", joined.Pod, joined.Uid, "node-1"));
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await StartAsync(dir, server, tree, target, null, "--multiline", "auto", "--multiline-flush-timeout", "300ms");

        apart.AppendMany(Trace);
        joined.AppendMany(Trace);
        var messages = await RateLimitTests.MessagesAsync(target, 7);
        Assert.Equal(Trace, messages.Where(m => m.Pod == "apart").Select(m => m.Text));
        Assert.Equal([string.Join('\n', Trace)], messages.Where(m => m.Pod == "joined").Select(m => m.Text));
        Assert.Equal(7, messages.Count);
    }

    [Fact]
    public async Task TheRateLimitAnnotationWinsOverTheSwitchAndAChangeIsFollowed()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        await using var server = await FakeKubeApiServer.StartAsync();
        var log = tree.AddContainer("shop", "web", "app", RuntimeFormat.Cri);
        server.Add(KubePods.Bare("shop", log.Pod, log.Uid, "node-1").WithAnnotation(PodAnnotations.RateLimitAnnotation, "10/s"));
        var clock = new FakeTimeProvider();
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await StartAsync(dir, server, tree, target, clock, "--multiline", "off", "--rate-limit-pod", "1000/s");

        var lines = Lines("web", 50);
        log.AppendMany(lines);
        Assert.Equal(lines[..10], await TextsAsync(target, 10));

        // The clock stands still: only the annotation's change lets the rest through.
        server.Modify(log.Uid, p => p.WithAnnotation(PodAnnotations.RateLimitAnnotation, "off"));
        Assert.Equal(lines, await TextsAsync(target, 50));
    }

    [Fact]
    public async Task ABadRateLimitAnnotationIsIgnoredAndTheSwitchApplies()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        await using var server = await FakeKubeApiServer.StartAsync();
        var log = tree.AddContainer("shop", "web", "app", RuntimeFormat.Cri);
        server.Add(KubePods.Bare("shop", log.Pod, log.Uid, "node-1").WithAnnotation(PodAnnotations.RateLimitAnnotation, "lots"));
        var clock = new FakeTimeProvider();
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await StartAsync(dir, server, tree, target, clock, "--multiline", "off", "--rate-limit-pod", "20/s");

        var lines = Lines("web", 30);
        log.AppendMany(lines);
        Assert.Equal(lines[..20], await TextsAsync(target, 20));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(lines, await TextsAsync(target, 30));
    }

    private static Task<RunningForwarder> StartAsync(
        TempDirectory dir, FakeKubeApiServer server, NodeLogTree tree, SyslogTestListener target, FakeTimeProvider? clock, params string[] extra)
    {
        string token = dir.Combine("token");
        File.WriteAllText(token, "the-token-in-the-file\n");
        server.Token = "the-token-in-the-file";
        return RunningForwarder.StartAsync(
            dir,
            tree.ContainersGlob,
            [$"tcp://127.0.0.1:{target.TcpPort}"],
            clock is null ? null : builder => builder.Services.AddKeyedSingleton<TimeProvider>(RateLimits.ClockKey, clock),
            ["--metadata-source", "apiserver", "--kube-url", server.Url.ToString(), "--kube-token-file", token, "--node-name", "node-1", .. extra]);
    }
}
