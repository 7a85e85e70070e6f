using TestSupport;

namespace Forwarder.Tests.Pipeline;

/// <summary>
/// <c>--metadata-source kubelet</c> on the lines of real files shipped to a real socket: labels and owner, a pod that
/// came and went between polls, the kubelet going away, namespace labels. Not a real cluster:
/// <see cref="FakeKubeletServer"/> plays the kubelet, <see cref="FakeKubeApiServer"/> the API server.
/// </summary>
public sealed class KubeletMetadataTests
{
    private const string Sd = "k8s@32473";

    [Fact]
    public async Task APodCreatedAndGoneBetweenPollsGetsItsMetadataFromTheFetchItsFirstLineAskedFor()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        await using var kubelet = await FakeKubeletServer.StartAsync();
        await using var target = SyslogTestListener.Start();

        // An hour between polls: only a fetch asked for by the waiting file can bring this pod's metadata in time.
        await using var forwarder = await StartAsync(dir, tree, target, kubelet, "--kubelet-poll", "1h", "--metadata-wait", "10s");
        await Wait.UntilAsync(() => PodMetadataTests.Metric(forwarder, "metadata_available") == 1, "the first fetch");

        var log = tree.AddContainer("shop", "payments-7d4b9c8f6-x2x9z", "app", RuntimeFormat.Cri);
        kubelet.Add(KubePods.OfDeployment("shop", log.Pod, log.Uid, "node-1", "payments", "7d4b9c8f6",
            new Dictionary<string, string> { ["app.kubernetes.io/name"] = "payments", ["team"] = "billing" }));
        log.AppendMany(RotationTests.Lines("first", 5));
        await target.WaitForFramesAsync(5);

        // Gone from the kubelet; the next fetch (asked for by another new pod) marks it deleted, and its last lines,
        // read after that, still carry its metadata (grace period).
        kubelet.Remove(log.Uid);
        var other = tree.AddContainer("shop", "other", "app", RuntimeFormat.Cri);
        kubelet.Add(KubePods.Bare("shop", other.Pod, other.Uid, "node-1", new Dictionary<string, string> { ["app"] = "other" }));
        other.Append("other-00000");
        await target.WaitForFramesAsync(6);
        log.AppendMany(RotationTests.Lines("last", 3));

        var messages = await MessagesAsync(target, 9);
        Assert.Equal(
            [.. RotationTests.Lines("first", 5), .. RotationTests.Lines("last", 3)],
            messages.Where(m => m.Pod == log.Pod).Select(m => m.Text));
        Assert.Equal(["other-00000"], messages.Where(m => m.Pod == other.Pod).Select(m => m.Text));
        Assert.Equal(9, messages.Count);
        Assert.All(messages.Where(m => m.Pod == log.Pod), m =>
        {
            Assert.Equal("Deployment/payments", m.Param(Sd, "workload"));
            Assert.Equal("payments", m.Param(Sd, "l.app.kubernetes.io/name"));
            Assert.Null(m.Param(Sd, "l.team"));
        });
        Assert.Equal("other", messages.Single(m => m.Pod == other.Pod).Param(Sd, "l.app"));
        Assert.Equal(0, PodMetadataTests.Metric(forwarder, "metadata_missing_lines_total"));
        Assert.Equal(0, PodMetadataTests.Metric(forwarder, "metadata_wait_timeouts_total"));
    }

    [Fact]
    public async Task TheKubeletGoingAwayLosesNoLineAndLinesGoWithoutMetadataCounted()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        await using var kubelet = await FakeKubeletServer.StartAsync();
        var before = tree.AddContainer("shop", "web-5f7c9-aaaaa", "app", RuntimeFormat.Cri);
        kubelet.Add(KubePods.OfDeployment("shop", before.Pod, before.Uid, "node-1", "web", "5f7c9"));
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await StartAsync(dir, tree, target, kubelet, "--kubelet-poll", "1s", "--max-retry-delay", "500ms");
        before.AppendMany(RotationTests.Lines("before", 10));
        await target.WaitForFramesAsync(10);

        await kubelet.GoAwayAsync();
        await Wait.UntilAsync(() => PodMetadataTests.Metric(forwarder, "metadata_available") == 0, "the source to notice");
        var during = tree.AddContainer("shop", "worker-6b8d4-bbbbb", "app", RuntimeFormat.Cri);
        kubelet.Add(KubePods.OfDeployment("shop", during.Pod, during.Uid, "node-1", "worker", "6b8d4"));
        for (int round = 0; round < 10; round++)
        {
            before.Append($"away-before-{round:D2}");
            during.Append($"away-during-{round:D2}");
            await target.WaitForFramesAsync(10 + (2 * (round + 1)));
        }

        await kubelet.ComeBackAsync();
        await Wait.UntilAsync(() => PodMetadataTests.Metric(forwarder, "metadata_available") == 1, "the kubelet to answer again");
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
        Assert.Equal(1, PodMetadataTests.Metric(forwarder, "metadata_unavailable_files_total"));
        Assert.Equal(10, PodMetadataTests.Metric(forwarder, "metadata_missing_lines_total"));
        Assert.True(PodMetadataTests.Metric(forwarder, "metadata_errors_total") >= 1);
    }

    [Fact]
    public async Task NamespaceLabelsAreSentAsNKeyAndFollowAChangedNamespace()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        await using var kubelet = await FakeKubeletServer.StartAsync();
        await using var api = await FakeKubeApiServer.StartAsync();
        api.AddNamespace(FakeKubeApiServer.Namespace("shop", new Dictionary<string, string> { ["team"] = "payments", ["cost"] = "42" }));
        var log = tree.AddContainer("shop", "web-5f7c9-aaaaa", "app", RuntimeFormat.Cri);
        kubelet.Add(KubePods.OfDeployment("shop", log.Pod, log.Uid, "node-1", "web", "5f7c9"));
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await StartAsync(dir, tree, target, kubelet,
            "--kube-url", api.Url.ToString(), "--namespace-labels", "team,env");
        await Wait.UntilAsync(() => api.OpenNamespaceWatches == 1, "the namespace watch");
        log.AppendMany(RotationTests.Lines("first", 3));
        await target.WaitForFramesAsync(3);

        api.LabelNamespace("shop", "env", "prod");
        await Wait.UntilAsync(
            () => forwarder.Tailing.Files.Single().Metadata?.NamespaceLabels.Count == 2,
            "the changed namespace's labels on the file");
        log.AppendMany(RotationTests.Lines("second", 3));

        var messages = await MessagesAsync(target, 6);
        Assert.Equal([.. RotationTests.Lines("first", 3), .. RotationTests.Lines("second", 3)], messages.Select(m => m.Text));
        Assert.All(messages, m => Assert.Equal("payments", m.Param(Sd, "n.team")));
        Assert.All(messages, m => Assert.Null(m.Param(Sd, "n.cost")));
        Assert.Equal([null, null, null, "prod", "prod", "prod"], messages.Select(m => m.Param(Sd, "n.env")));
    }

    private static Task<RunningForwarder> StartAsync(
        TempDirectory dir, NodeLogTree tree, SyslogTestListener target, FakeKubeletServer kubelet, params string[] extra)
    {
        string token = dir.Combine("token");
        File.WriteAllText(token, "the-token-in-the-file\n");
        kubelet.Token ??= "the-token-in-the-file";
        return RotationTests.StartAsync(
            dir,
            tree,
            target.TcpPort,
            ["--metadata-source", "kubelet", "--kubelet-url", kubelet.Url.ToString(), "--kube-token-file", token, .. extra]);
    }

    private static async Task<List<ReceivedMessage>> MessagesAsync(SyslogTestListener target, int count)
    {
        var frames = await target.WaitForQuietAsync(count, TimeSpan.FromSeconds(30));
        return [.. frames.Select(f => ReceivedMessage.Parse(f.Payload))];
    }
}
