using System.Text;
using TestSupport;

namespace Forwarder.Tests.Pipeline;

/// <summary>Files renamed, truncated, replaced and deleted under a running Forwarder: no line is lost.</summary>
public sealed class RotationTests
{
    [Theory]
    [InlineData(RuntimeFormat.Cri)]
    [InlineData(RuntimeFormat.Docker)]
    public async Task AKubeletRotationLosesNothingAndKeepsTheOrder(RuntimeFormat format)
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("default", "api-0", "api", format);
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await StartAsync(dir, tree, target.TcpPort);

        log.AppendMany(Lines("before", 1000));
        log.RotateLikeKubelet("20261122-100000");
        log.AppendMany(Lines("after", 1000));

        var texts = await TextsAsync(target, 2000);
        Assert.Equal([.. Lines("before", 1000), .. Lines("after", 1000)], texts);
    }

    [Fact]
    public async Task TwoRotationsWhileTheTargetIsDownLoseNothing()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("default", "api-0", "api", RuntimeFormat.Cri);
        int port = LoopbackTcpReceiver.ReservePort();
        var down = SyslogTestListener.Start(port: port);
        await using var forwarder = await StartAsync(dir, tree, port);
        log.AppendMany(Lines("a", 500));
        await TextsAsync(down, 500);
        await down.DisposeAsync();

        log.AppendMany(Lines("b", 500));
        log.RotateLikeKubelet("20261122-100000");
        log.AppendMany(Lines("c", 500));
        log.RotateLikeKubelet("20261122-100005");
        log.AppendMany(Lines("d", 500));
        // Both rotated generations and the new file found while nothing can be sent: the rotations really happened
        // during the outage, not after the target was back.
        await Wait.UntilAsync(
            () => forwarder.Tailing.Files.Count(f => !f.IsClosed) == 3,
            "both rotated generations and the new file found",
            TimeSpan.FromSeconds(30));

        await using var up = SyslogTestListener.Start(port: port);
        var texts = await TextsAsync(up, 1500, TimeSpan.FromSeconds(40));
        Assert.Equal([.. Lines("b", 500), .. Lines("c", 500), .. Lines("d", 500)], texts);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ATruncatedFileIsReadAgainFromItsStart(bool copyFirst)
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("default", "api-0", "api", RuntimeFormat.Cri);
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await StartAsync(dir, tree, target.TcpPort);
        log.AppendMany(Lines("old", 300));
        await TextsAsync(target, 300);

        if (copyFirst)
        {
            log.CopyTruncate();
        }
        else
        {
            File.WriteAllBytes(log.RealPath, []);
        }

        // Fewer bytes than before: detected by size; the same size again would be detected by the fingerprint.
        log.AppendMany(Lines("new", 10));
        var texts = await TextsAsync(target, 310);
        Assert.Equal([.. Lines("old", 300), .. Lines("new", 10)], texts);
    }

    [Fact]
    public async Task AFileRewrittenToTheSameSizeIsNoticedByItsFingerprint()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("default", "api-0", "api", RuntimeFormat.Cri);
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await StartAsync(dir, tree, target.TcpPort);
        log.AppendMany(Lines("one", 20));
        await TextsAsync(target, 20);

        // Other lines of exactly the same length written over the old ones in place: the size never changes, so
        // only the first bytes (the fingerprint) can tell that this is new content.
        long size = new FileInfo(log.RealPath).Length;
        string rewritten = string.Concat(Lines("two", 20).Select((text, i) => log.Render(text, 1_000_000 + i, stderr: false)));
        using (var stream = new FileStream(log.RealPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            stream.Write(new UTF8Encoding(false).GetBytes(rewritten));
        }

        Assert.Equal(size, new FileInfo(log.RealPath).Length);
        var texts = await TextsAsync(target, 40);
        Assert.Equal([.. Lines("one", 20), .. Lines("two", 20)], texts);
    }

    [Fact]
    public async Task WhatWasWrittenWhileTheForwarderWasDownIsShippedOnceAfterItsRestartEvenAcrossARotation()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("default", "api-0", "api", RuntimeFormat.Cri);
        await using var target = SyslogTestListener.Start();
        await ShipThenStopAsync(dir, tree, target, log, Lines("a", 200));

        log.AppendMany(Lines("b", 200));
        log.RotateLikeKubelet("20261122-100000");
        log.AppendMany(Lines("c", 200));
        await using var second = await StartAsync(dir, tree, target.TcpPort);

        var texts = await TextsAsync(target, 600);
        Assert.Equal([.. Lines("a", 200), .. Lines("b", 200), .. Lines("c", 200)], texts);
    }

    /// <summary>
    /// Found by the chaos run (docs/chaos.md): a Forwarder that is behind holds checkpoints of three generations of one
    /// log, the oldest not read to its end, when it is killed. The next one must chain them oldest first whatever
    /// order they come in from checkpoints.json (newest first, as they are saved), or the middle generation is read
    /// beside the oldest and after the live file.
    /// </summary>
    [Fact]
    public async Task ThreeCheckpointedGenerationsAreReadOldestFirstAfterARestart()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("default", "api-0", "api", RuntimeFormat.Cri);

        // The oldest generation is longer than one reading turn (4 chunks of 320 KiB), so that a generation read
        // beside it, instead of after it, shows in the order.
        var oldest = Lines("a", 12_000).Select(text => text + " " + new string('x', 120)).ToList();
        int port = LoopbackTcpReceiver.ReservePort();
        await using (var first = await StartAsync(dir, tree, port, "--checkpoint-interval", "100ms"))
        {
            // Nothing can be sent: every generation is checkpointed at 0 with its first bytes, none drained.
            log.AppendMany(oldest);
            await Wait.UntilAsync(() => first.Tailing.Files.Count == 1, "the first generation tailed", TimeSpan.FromSeconds(30));
            log.RotateLikeKubelet("20261122-100000");
            log.AppendMany(Lines("b", 300));
            await Wait.UntilAsync(() => first.Tailing.Files.Count == 2, "the second generation tailed", TimeSpan.FromSeconds(30));
            log.RotateLikeKubelet("20261122-100005");
            log.AppendMany(Lines("c", 300));
            await Wait.UntilAsync(() => first.Tailing.Files.Count == 3, "the live file tailed", TimeSpan.FromSeconds(30));
            await Wait.UntilAsync(() => CheckpointSummary.Read(first.State).Tailed == 3, "three checkpoints saved", TimeSpan.FromSeconds(30));
        }

        await using var target = SyslogTestListener.Start(port: port);
        await using var second = await StartAsync(dir, tree, port);
        var texts = await TextsAsync(target, 12_600, TimeSpan.FromSeconds(60));
        Assert.Equal([.. oldest, .. Lines("b", 300), .. Lines("c", 300)], texts);
    }

    /// <summary>
    /// Found by the chaos run with docker logs (docs/chaos.md): a Forwarder that is behind holds checkpoints of three
    /// generations, and two more rotations happen while it is down. docker renames every generation (.1 to .2 …), so
    /// each checkpointed file is found under a new name, and the generation written while it was down lies between
    /// the newest checkpointed one and the live file, not after the oldest: it must be read fourth, not second. With
    /// kubelet's names the same holds by modification time.
    /// </summary>
    [Theory]
    [InlineData(RuntimeFormat.Docker)]
    [InlineData(RuntimeFormat.Cri)]
    public async Task GenerationsRotatedOnWhileTheForwarderIsDownAreReadOldestFirst(RuntimeFormat format)
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("default", "api-0", "api", format);
        int rotations = 0;
        void Rotate()
        {
            if (format == RuntimeFormat.Docker)
            {
                log.RotateLikeDocker();
            }
            else
            {
                log.RotateLikeKubelet($"20261122-10000{rotations++}");
            }
        }

        int port = LoopbackTcpReceiver.ReservePort();
        await using (var first = await StartAsync(dir, tree, port, "--checkpoint-interval", "100ms"))
        {
            // Nothing can be sent: every generation is checkpointed at 0 with its first bytes, none drained.
            log.AppendMany(Lines("a", 300));
            await Wait.UntilAsync(() => first.Tailing.Files.Count == 1, "the first generation tailed", TimeSpan.FromSeconds(30));
            Rotate();
            log.AppendMany(Lines("b", 300));
            await Wait.UntilAsync(() => first.Tailing.Files.Count == 2, "the second generation tailed", TimeSpan.FromSeconds(30));
            Rotate();
            log.AppendMany(Lines("c", 300));
            await Wait.UntilAsync(() => first.Tailing.Files.Count == 3, "the live file tailed", TimeSpan.FromSeconds(30));
            await Wait.UntilAsync(() => CheckpointSummary.Read(first.State).Tailed == 3, "three checkpoints saved", TimeSpan.FromSeconds(30));
        }

        Rotate();
        log.AppendMany(Lines("d", 300));
        Rotate();
        log.AppendMany(Lines("e", 300));

        await using var target = SyslogTestListener.Start(port: port);
        await using var second = await StartAsync(dir, tree, port);
        var texts = await TextsAsync(target, 1500, TimeSpan.FromSeconds(60));
        Assert.Equal([.. Lines("a", 300), .. Lines("b", 300), .. Lines("c", 300), .. Lines("d", 300), .. Lines("e", 300)], texts);
    }

    /// <summary>
    /// The checkpointed file renamed and a whole generation after it written and rotated away while the Forwarder is
    /// down: the middle one is named after the live file (0.log.&lt;time&gt;), and is found next to it.
    /// </summary>
    [Fact]
    public async Task TwoRotationsWhileTheForwarderIsDownLoseNothingAndKeepTheOrder()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("default", "api-0", "api", RuntimeFormat.Cri);
        await using var target = SyslogTestListener.Start();
        await ShipThenStopAsync(dir, tree, target, log, Lines("a", 200));

        log.AppendMany(Lines("b", 200));
        log.RotateLikeKubelet("20261122-100000");
        log.AppendMany(Lines("c", 200));
        log.RotateLikeKubelet("20261122-100005");
        log.AppendMany(Lines("d", 200));
        await using var second = await StartAsync(dir, tree, target.TcpPort);

        var texts = await TextsAsync(target, 800);
        Assert.Equal([.. Lines("a", 200), .. Lines("b", 200), .. Lines("c", 200), .. Lines("d", 200)], texts);
    }

    [Fact]
    public async Task AGenerationRotatedWhileTheForwarderWasDownIsReadEvenWhenTheCheckpointedFileWasCompressedAway()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("default", "api-0", "api", RuntimeFormat.Cri);
        await using var target = SyslogTestListener.Start();
        await ShipThenStopAsync(dir, tree, target, log, Lines("a", 200));

        // Two kubelet rotations while the Forwarder is down. At the second one kubelet first compresses the older
        // rotated file (the checkpointed one: gzip, then delete) and then renames 0.log: the new 0.log often gets
        // the deleted file's inode. What was written to the deleted file is lost; the middle generation is not.
        log.AppendMany(Lines("b", 200));
        string older = log.RotateLikeKubelet("20261122-100000");
        log.AppendMany(Lines("c", 200));
        File.Delete(older);
        log.RotateLikeKubelet("20261122-100005");
        log.AppendMany(Lines("d", 200));
        await using var second = await StartAsync(dir, tree, target.TcpPort);

        var texts = await TextsAsync(target, 600);
        Assert.Equal([.. Lines("a", 200), .. Lines("c", 200), .. Lines("d", 200)], texts);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(0)]
    public async Task AMissedGenerationInTheInodeOfAnAlreadyDrainedFileIsRead(int drainedLines)
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("default", "api-0", "api", RuntimeFormat.Cri);
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await StartAsync(dir, tree, target.TcpPort);
        // An empty drained file has no first bytes to tell it from the next file in its inode.
        log.AppendMany(Lines("a", drainedLines));
        string drained = log.RotateLikeKubelet("20261122-100000");
        log.AppendMany(Lines("b", 100));
        await TextsAsync(target, drainedLines + 100);
        await Wait.UntilAsync(
            () => forwarder.Tailing.Files.Count == 1,
            "the rotated file drained and forgotten but for its checkpoint",
            TimeSpan.FromSeconds(30));

        // A generation that comes and goes between two scans in the inode of the drained file (kubelet deleted it after
        // compressing it, and the runtime's next file got its inode): the same inode, other first bytes. Rewriting the
        // drained file in place makes that deterministic.
        File.WriteAllBytes(drained, []);
        File.AppendAllText(drained, string.Concat(Lines("c", 100).Select((text, i) => log.Render(text, 1_000_000 + i, stderr: false))));
        File.Move(log.RealPath, log.RealPath + ".20261122-100005");
        File.Move(drained, log.RealPath + ".20261122-100010");
        File.Create(log.RealPath).Dispose();
        log.AppendMany(Lines("d", 100));

        var texts = await TextsAsync(target, drainedLines + 300);
        Assert.Equal([.. Lines("a", drainedLines), .. Lines("b", 100), .. Lines("c", 100), .. Lines("d", 100)], texts);
    }

    [Fact]
    public async Task ANewFileInADeletedFilesInodeIsReadFromItsStart()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("default", "api-0", "api", RuntimeFormat.Cri);
        await using var target = SyslogTestListener.Start();
        await ShipThenStopAsync(dir, tree, target, log, Lines("old", 100));

        // Delete and create: ext4 and tmpfs hand the freed inode to the next file more often than not. Either way the
        // new file must be read whole: by its fingerprint when the inode is reused, as a new file otherwise.
        File.Delete(log.RealPath);
        File.Create(log.RealPath).Dispose();
        log.AppendMany(Lines("new", 5));
        await using var second = await StartAsync(dir, tree, target.TcpPort);

        var texts = await TextsAsync(target, 105);
        Assert.Equal([.. Lines("old", 100), .. Lines("new", 5)], texts);
    }

    [Fact]
    public async Task DeletedFilesAreClosedOnceDrainedAndNoHandleIsLeft()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await StartAsync(dir, tree, target.TcpPort, "--rotate-wait", "0", "--scan-interval", "100ms");
        await Wait.UntilAsync(() => forwarder.Tailing.Started, "the first scan");

        const int Churn = 2000;
        var logs = new List<ContainerLog>();
        for (int i = 0; i < Churn; i++)
        {
            var log = tree.AddContainer("churn", $"job-{i}", "main", RuntimeFormat.Cri);
            log.Append($"job {i} done");
            logs.Add(log);
        }

        await TextsAsync(target, Churn, TimeSpan.FromSeconds(60));
        foreach (var log in logs)
        {
            File.Delete(log.LinkPath);
            File.Delete(log.RealPath);
        }

        await Wait.UntilAsync(() => !forwarder.Tailing.Files.Any(f => !f.IsClosed), "every deleted file closed", TimeSpan.FromSeconds(30));
        // Only descriptors into this test's tree count: other tests in the same process open and close files meanwhile.
        await Wait.UntilAsync(() => DescriptorsUnder(tree.Root) == 0, "no descriptor left on the deleted files", TimeSpan.FromSeconds(30));
    }

    internal static Task<RunningForwarder> StartAsync(TempDirectory dir, NodeLogTree tree, int port, params string[] extra) =>
        RunningForwarder.StartAsync(dir, tree.ContainersGlob, [$"tcp://127.0.0.1:{port}"], extra);

    /// <summary>
    /// A Forwarder ships <paramref name="lines"/> of <paramref name="log"/> and stops: the start of every restart test.
    /// </summary>
    private static async Task ShipThenStopAsync(TempDirectory dir, NodeLogTree tree, SyslogTestListener target, ContainerLog log, List<string> lines)
    {
        await using var first = await StartAsync(dir, tree, target.TcpPort);
        log.AppendMany(lines);
        await TextsAsync(target, lines.Count);
    }

    internal static List<string> Lines(string prefix, int count) => Enumerable.Range(0, count).Select(i => $"{prefix}-{i:D5}").ToList();

    internal static async Task<List<string>> TextsAsync(SyslogTestListener target, int count, TimeSpan? timeout = null)
    {
        // Not just the first `count`: every frame until a quiet second, so a line sent twice later fails
        // the exact list.
        var frames = await target.WaitForQuietAsync(count, timeout ?? TimeSpan.FromSeconds(30));
        return frames.Select(f => ReceivedMessage.Parse(f.Payload).Text).ToList();
    }

    private static int DescriptorsUnder(string root)
    {
        int count = 0;
        foreach (string fd in Directory.GetFiles("/proc/self/fd"))
        {
            // A descriptor closed between listing and reading has no target any more; that is not a leak.
            string? target = new FileInfo(fd).LinkTarget;
            if (target is not null && target.StartsWith(root, StringComparison.Ordinal))
            {
                count++;
            }
        }

        return count;
    }
}
