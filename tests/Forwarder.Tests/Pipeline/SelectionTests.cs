using TestSupport;

namespace Forwarder.Tests.Pipeline;

/// <summary>
/// Which files are shipped: excluded namespaces, kube-syslog's own pods, globs, and where a first start begins.
/// </summary>
public sealed class SelectionTests
{
    [Fact]
    public async Task OwnPodsExcludedNamespacesAndExcludedGlobsAreNotShipped()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var shipped = tree.AddContainer("shop", "web-0", "app", RuntimeFormat.Cri);
        var forwarderPod = tree.AddContainer("kube-syslog", "log-forwarder-x7k2p", "forwarder", RuntimeFormat.Cri);
        var collectorPod = tree.AddContainer("kube-syslog", "log-collector-6d4b7-abcde", "collector", RuntimeFormat.Cri);
        var system = tree.AddContainer("kube-system", "coredns-0", "coredns", RuntimeFormat.Cri);
        var noisy = tree.AddContainer("shop", "noisy-0", "app", RuntimeFormat.Docker);
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await RotationTests.StartAsync(
            dir,
            tree,
            target.TcpPort,
            "--exclude-namespace", "kube-system",
            "--exclude", Path.Combine(tree.Root, "var", "log", "pods", "shop_noisy-*", "**"));

        foreach (var log in new[] { forwarderPod, collectorPod, system, noisy })
        {
            log.Append("must not be shipped");
        }

        shipped.Append("shipped");
        var frames = await target.WaitForFramesAsync(1);
        Assert.Equal("shipped", ReceivedMessage.Parse(Assert.Single(frames).Payload).Text);

        // Nothing else can arrive: the excluded files were never taken up for tailing, not merely slow.
        Assert.Equal([shipped.LinkPath], forwarder.Tailing.Files.Select(f => f.File.Path));
    }

    [Fact]
    public async Task StartAtEndSkipsWhatExistedAtTheVeryFirstStartButNotWhatComesLater()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var old = tree.AddContainer("shop", "web-0", "app", RuntimeFormat.Cri);
        old.AppendMany(RotationTests.Lines("history", 50));
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await RotationTests.StartAsync(dir, tree, target.TcpPort, "--start-at", "end");

        old.Append("new in the old file");
        var later = tree.AddContainer("shop", "web-1", "app", RuntimeFormat.Cri);
        later.AppendMany(RotationTests.Lines("later", 3));

        var texts = await RotationTests.TextsAsync(target, 4);
        string[] expected = ["new in the old file", .. RotationTests.Lines("later", 3)];
        Assert.Equal(expected.Order(StringComparer.Ordinal), texts.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ARecursiveGlobFindsPlainFilesAtAnyDepthAndNamesThemByFile()
    {
        using var dir = TempDirectory.Create();
        string site = dir.Combine("gravity", "site");
        Directory.CreateDirectory(Path.Combine(site, "update", "deep"));
        File.WriteAllText(Path.Combine(site, "top.log"), "at the top\n");
        File.WriteAllText(Path.Combine(site, "update", "deep", "agent.log"), "two levels down\n");
        File.WriteAllText(Path.Combine(site, "update", "skip.txt"), "not a .log\n");
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await RunningForwarder.StartAsync(dir, Path.Combine(site, "**", "*.log"), [$"tcp://127.0.0.1:{target.TcpPort}"]);

        var frames = await target.WaitForFramesAsync(2);
        var messages = frames.Select(f => ReceivedMessage.Parse(f.Payload)).OrderBy(m => m.Text, StringComparer.Ordinal).ToList();
        Assert.Equal(["at the top", "two levels down"], messages.Select(m => m.Text));
        Assert.Equal(["top", "agent"], messages.Select(m => m.Syslog.AppName));
        Assert.All(messages, m => Assert.Null(m.Syslog.MsgId));
    }
}
