using TestSupport;

namespace Forwarder.Tests.Pipeline;

/// <summary>
/// Pod metadata from the stand-in API server on the lines of real files shipped to a real socket: labels and owner
/// workload, short-lived pods, the API server going away, waiting for metadata that never comes, exclusion.
/// Not a real cluster: <see cref="FakeKubeApiServer"/> plays the API server.
/// </summary>
public sealed class PodMetadataTests
{
    private const string Sd = "k8s@32473";

    [Fact]
    public async Task APodsLinesCarryItsAllowlistedLabelsAndItsDeployment()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        await using var server = await FakeKubeApiServer.StartAsync();
        var log = tree.AddContainer("shop", "payments-7d4b9c8f6-x2x9z", "app", RuntimeFormat.Cri);
        server.Add(KubePods.OfDeployment("shop", log.Pod, log.Uid, "node-1", "payments", "7d4b9c8f6", new Dictionary<string, string>
        {
            ["app.kubernetes.io/name"] = "payments",
            ["app.kubernetes.io/component"] = "api",
            ["app"] = "pay \"v2\"",
            ["team"] = "billing",
        }));
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await StartAsync(dir, tree, target, server);

        var lines = RotationTests.Lines("payments", 20);
        log.AppendMany(lines);

        var messages = await MessagesAsync(target, 20);
        Assert.Equal(lines, messages.Select(m => m.Text));
        Assert.All(messages, m =>
        {
            Assert.Equal("Deployment/payments", m.Param(Sd, "workload"));
            Assert.Equal("payments", m.Param(Sd, "l.app.kubernetes.io/name"));
            Assert.Equal("api", m.Param(Sd, "l.app.kubernetes.io/component"));
            Assert.Equal("pay \"v2\"", m.Param(Sd, "l.app"));
            Assert.Null(m.Param(Sd, "l.team"));
            Assert.Equal(log.Uid, m.Param(Sd, "pod_uid"));
        });
    }

    [Fact]
    public async Task APodCreatedAndDeletedWithinOneSecondStillGetsItsMetadata()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        await using var server = await FakeKubeApiServer.StartAsync();
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await StartAsync(dir, tree, target, server);
        await WaitForMetadataAsync(forwarder);

        // A CronJob's pod that runs for a moment: created, writes, deleted, all before the Forwarder reads a line.
        server.AddJob(KubePods.Job("batch", "nightly-29422080", "nightly"));
        var log = tree.AddContainer("batch", "nightly-29422080-x7k2p", "app", RuntimeFormat.Cri);
        server.Add(KubePods.OfJob("batch", log.Pod, log.Uid, "node-1", "nightly-29422080").WithLabel("app", "nightly"));
        var lines = RotationTests.Lines("nightly", 5);
        log.AppendMany(lines);
        server.Delete(log.Uid);

        var messages = await MessagesAsync(target, 5);
        Assert.Equal(lines, messages.Select(m => m.Text));
        Assert.All(messages, m => Assert.Equal("CronJob/nightly", m.Param(Sd, "workload")));
        Assert.All(messages, m => Assert.Equal("nightly", m.Param(Sd, "l.app")));
    }

    [Fact]
    public async Task LinesReadBeforeTheFirstListIsDoneWaitForItLongerThanTheMetadataWait()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        await using var server = await FakeKubeApiServer.StartAsync();
        server.HoldLists = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = tree.AddContainer("shop", "payments-7d4b9c8f6-x2x9z", "app", RuntimeFormat.Cri);
        server.Add(KubePods.OfDeployment("shop", log.Pod, log.Uid, "node-1", "payments", "7d4b9c8f6", new Dictionary<string, string>()));
        var lines = RotationTests.Lines("payments", 5);
        log.AppendMany(lines);
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await StartAsync(dir, tree, target, server, "--metadata-wait", "50ms");

        // The first list is held far past the 50 ms wait: the lines wait for it rather than going without metadata.
        await Wait.UntilAsync(() => server.Lists.Any(), "the first list request");
        Assert.Empty(await target.WaitForQuietAsync(0, quiet: TimeSpan.FromSeconds(1)));
        server.HoldLists.SetResult();

        var messages = await MessagesAsync(target, 5);
        Assert.Equal(lines, messages.Select(m => m.Text));
        Assert.All(messages, m => Assert.Equal("Deployment/payments", m.Param(Sd, "workload")));
        Assert.Equal(0, Metric(forwarder, "metadata_wait_timeouts_total"));
    }

    [Fact]
    public async Task TheApiServerGoingAwayLosesNoLineAndLinesKeepShipping()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        await using var server = await FakeKubeApiServer.StartAsync();
        var before = tree.AddContainer("shop", "web-5f7c9-aaaaa", "app", RuntimeFormat.Cri);
        server.Add(KubePods.OfDeployment("shop", before.Pod, before.Uid, "node-1", "web", "5f7c9"));
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await StartAsync(dir, tree, target, server, "--max-retry-delay", "500ms");
        before.AppendMany(RotationTests.Lines("before", 10));
        await target.WaitForFramesAsync(10);

        // Away for a while (short backoff stands for the minute): the known pod keeps its metadata, a pod created
        // meanwhile ships at once with its path identity, and nothing waits for the API server.
        await server.GoAwayAsync();
        await Wait.UntilAsync(() => Metric(forwarder, "metadata_available") == 0, "the source to notice");
        var during = tree.AddContainer("shop", "worker-6b8d4-bbbbb", "app", RuntimeFormat.Cri);
        server.Add(KubePods.OfDeployment("shop", during.Pod, during.Uid, "node-1", "worker", "6b8d4"));
        for (int round = 0; round < 10; round++)
        {
            before.Append($"away-before-{round:D2}");
            during.Append($"away-during-{round:D2}");
            await target.WaitForFramesAsync(10 + (2 * (round + 1)));
        }

        await server.ComeBackAsync();
        await Wait.UntilAsync(() => Metric(forwarder, "metadata_available") == 1, "the source to list again");
        await Wait.UntilAsync(() => forwarder.Tailing.Files.Single(f => f.Pod!.Pod == during.Pod).Metadata is not null, "the new pod's metadata");
        during.AppendMany(RotationTests.Lines("back-during", 3));

        var messages = await MessagesAsync(target, 33);
        string[] expectedBefore = [.. RotationTests.Lines("before", 10), .. Enumerable.Range(0, 10).Select(r => $"away-before-{r:D2}")];
        string[] expectedDuring = [.. Enumerable.Range(0, 10).Select(r => $"away-during-{r:D2}"), .. RotationTests.Lines("back-during", 3)];
        Assert.Equal(expectedBefore, messages.Where(m => m.Pod == before.Pod).Select(m => m.Text));
        Assert.Equal(expectedDuring, messages.Where(m => m.Pod == during.Pod).Select(m => m.Text));
        Assert.Equal(33, messages.Count);
        Assert.All(messages.Where(m => m.Pod == before.Pod), m => Assert.Equal("Deployment/web", m.Param(Sd, "workload")));
        Assert.All(messages.Where(m => m.Text.StartsWith("away-during", StringComparison.Ordinal)), m => Assert.Null(m.Param(Sd, "workload")));
        Assert.All(
            messages.Where(m => m.Text.StartsWith("back-during", StringComparison.Ordinal)),
            m => Assert.Equal("Deployment/worker", m.Param(Sd, "workload")));
        Assert.Equal(1, Metric(forwarder, "metadata_unavailable_files_total"));
        Assert.Equal(10, Metric(forwarder, "metadata_missing_lines_total"));
        Assert.True(Metric(forwarder, "metadata_errors_total") >= 1);
    }

    [Fact]
    public async Task LinesOfAPodWithoutMetadataWaitThenGoWithoutItAndDoNotHoldUpOtherPods()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        await using var server = await FakeKubeApiServer.StartAsync();
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await StartAsync(dir, tree, target, server, "--metadata-wait", "2s");
        await WaitForMetadataAsync(forwarder);

        // The API server never hears of this pod (a static pod seen before the mirror pod, say).
        var unknown = tree.AddContainer("shop", "unknown", "app", RuntimeFormat.Cri);
        unknown.AppendMany(RotationTests.Lines("unknown", 3));
        var known = tree.AddContainer("shop", "known", "app", RuntimeFormat.Cri);
        server.Add(KubePods.Bare("shop", known.Pod, known.Uid, "node-1", new Dictionary<string, string> { ["app"] = "known" }));
        known.AppendMany(RotationTests.Lines("known", 3));

        // The known pod's lines come while the unknown pod's still wait.
        var first = await target.WaitForFramesAsync(3);
        Assert.Equal(RotationTests.Lines("known", 3), first.Select(f => ReceivedMessage.Parse(f.Payload).Text));
        Assert.Equal(0, Metric(forwarder, "metadata_wait_timeouts_total"));

        var messages = await MessagesAsync(target, 6);
        Assert.Equal(RotationTests.Lines("unknown", 3), messages.Skip(3).Select(m => m.Text));
        Assert.All(messages.Skip(3), m => Assert.Null(m.Param(Sd, "workload")));
        Assert.All(messages.Skip(3), m => Assert.Equal("unknown", m.Pod));
        Assert.Equal(1, Metric(forwarder, "metadata_wait_timeouts_total"));
        Assert.Equal(3, Metric(forwarder, "metadata_missing_lines_total"));
    }

    [Fact]
    public async Task ARefusedTokenLeavesLinesShippingWithTheirPathIdentity()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        await using var server = await FakeKubeApiServer.StartAsync();
        server.Token = "the-real-token";
        var log = tree.AddContainer("shop", "web", "app", RuntimeFormat.Cri);
        server.Add(KubePods.Bare("shop", log.Pod, log.Uid, "node-1", new Dictionary<string, string> { ["app"] = "web" }));
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await StartAsync(dir, tree, target, server);

        log.AppendMany(RotationTests.Lines("web", 5));
        var messages = await MessagesAsync(target, 5);
        Assert.Equal(RotationTests.Lines("web", 5), messages.Select(m => m.Text));
        Assert.All(messages, m => Assert.Equal("web", m.Pod));
        Assert.All(messages, m => Assert.Null(m.Param(Sd, "l.app")));
        Assert.True(Metric(forwarder, "metadata_errors_total") >= 1);
        Assert.Equal(0, Metric(forwarder, "metadata_available"));
    }

    [Fact]
    public async Task TheExcludeAnnotationDropsThePodOrOneOfItsStreams()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        await using var server = await FakeKubeApiServer.StartAsync();
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await StartAsync(dir, tree, target, server);
        await WaitForMetadataAsync(forwarder);

        var all = tree.AddContainer("shop", "chatty", "app", RuntimeFormat.Cri);
        server.Add(KubePods.Bare("shop", all.Pod, all.Uid, "node-1").WithAnnotation("kube-syslog.io/exclude", "true"));
        var stderr = tree.AddContainer("shop", "noisy-errors", "app", RuntimeFormat.Docker);
        server.Add(KubePods.Bare("shop", stderr.Pod, stderr.Uid, "node-1").WithAnnotation("kube-syslog.io/exclude", "stderr"));
        for (int i = 0; i < 3; i++)
        {
            all.Append($"chatty-{i}");
            all.Append($"chatty-err-{i}", stderr: true);
            stderr.Append($"out-{i}");
            stderr.Append($"err-{i}", stderr: true);
        }

        // A sentinel from a plain pod after everything else, then a quiet second: nothing excluded may trail it.
        await Wait.UntilAsync(() => forwarder.Tailing.Files.Count(f => f.Metadata is not null) == 2, "both pods' metadata");
        var sentinel = tree.AddContainer("shop", "plain", "app", RuntimeFormat.Cri);
        server.Add(KubePods.Bare("shop", sentinel.Pod, sentinel.Uid, "node-1"));
        await Wait.UntilAsync(() => Metric(forwarder, "metadata_excluded_lines_total") == 9, "the excluded lines to be read");
        sentinel.Append("sentinel");

        var messages = await MessagesAsync(target, 4);
        Assert.Equal(["out-0", "out-1", "out-2"], messages.Where(m => m.Pod == stderr.Pod).Select(m => m.Text));
        Assert.Equal(["sentinel"], messages.Where(m => m.Pod == sentinel.Pod).Select(m => m.Text));
        Assert.Equal(4, messages.Count);
    }

    internal static Task<RunningForwarder> StartAsync(
        TempDirectory dir, NodeLogTree tree, SyslogTestListener target, FakeKubeApiServer server, params string[] extra)
    {
        string token = dir.Combine("token");
        File.WriteAllText(token, "the-token-in-the-file\n");
        if (server.Token is null)
        {
            server.Token = "the-token-in-the-file";
        }

        return RotationTests.StartAsync(
            dir,
            tree,
            target.TcpPort,
            ["--metadata-source", "apiserver", "--kube-url", server.Url.ToString(), "--kube-token-file", token, "--node-name", "node-1", .. extra]);
    }

    private static Task WaitForMetadataAsync(RunningForwarder forwarder) =>
        Wait.UntilAsync(() => Metric(forwarder, "metadata_available") == 1, "the first list");

    private static async Task<List<ReceivedMessage>> MessagesAsync(SyslogTestListener target, int count)
    {
        var frames = await target.WaitForQuietAsync(count, TimeSpan.FromSeconds(30));
        return [.. frames.Select(f => ReceivedMessage.Parse(f.Payload))];
    }

    /// <summary>A metric's value from /metrics (kubesyslog_forwarder_NAME), without labels.</summary>
    internal static double Metric(RunningForwarder forwarder, string name)
    {
        string text = forwarder.MetricsAsync().GetAwaiter().GetResult();
        string prefix = "kubesyslog_forwarder_" + name + " ";
        string line = text.Split('\n').Single(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return double.Parse(line[prefix.Length..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
