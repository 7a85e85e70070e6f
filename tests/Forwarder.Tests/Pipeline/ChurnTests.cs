using Forwarder.Tailing;
using TestSupport;

namespace Forwarder.Tests.Pipeline;

/// <summary>Pods and files that come and go: nothing the Forwarder keeps about a file outlives the file.</summary>
public sealed class ChurnTests
{
    private static readonly string[] Fast = ["--rotate-wait", "0", "--scan-interval", "100ms", "--checkpoint-interval", "100ms"];

    [Fact]
    public async Task ACheckpointOfAFileGoneWithItsPodIsForgotten()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await RotationTests.StartAsync(dir, tree, target.TcpPort, Fast);
        var churn = new PodChurn(tree, pods: 20, linesPerFile: 5);

        churn.CreatePods();
        await target.WaitForFramesAsync(churn.LinesWritten);
        churn.RotateAndWrite();
        await target.WaitForFramesAsync(churn.LinesWritten);
        await Wait.UntilAsync(() => CheckpointSummary.Read(forwarder.State).Entries >= 20, "the pods' files checkpointed");
        churn.DeletePods();

        await Wait.UntilAsync(
            () => CheckpointSummary.Read(forwarder.State).Entries == 0,
            "no checkpoint left of the deleted pods' files",
            TimeSpan.FromSeconds(30));
        Assert.Empty(forwarder.Tailing.Files);
        Assert.DoesNotContain("job-r1-", await forwarder.MetricsAsync(), StringComparison.Ordinal);
        Assert.Null(churn.Compare(target.Frames.Select(f => ReceivedMessage.Parse(f.Payload))));
    }

    [Fact]
    public async Task ADrainedFileStillOnDiskKeepsItsCheckpointUnderItsNewNameSoItIsNotShippedTwiceAndLosesItWhenDeleted()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("default", "api-0", "api", RuntimeFormat.Cri);
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await RotationTests.StartAsync(dir, tree, target.TcpPort, Fast);
        log.AppendMany(RotationTests.Lines("a", 20));
        await target.WaitForFramesAsync(20);
        string rotated = log.RotateLikeKubelet("20261206-030000");
        log.AppendMany(RotationTests.Lines("b", 20));
        await target.WaitForFramesAsync(40);
        await Wait.UntilAsync(() => forwarder.Tailing.Files.Count == 1, "the rotated file drained and closed", TimeSpan.FromSeconds(30));
        var store = new CheckpointStore(forwarder.State, new CollectingLogger());
        await Wait.UntilAsync(
            () => store.Load()!.Any(c => c.DoneAt is not null && c.RealPath == rotated),
            "the drained file's checkpoint under the name kubelet gave it",
            TimeSpan.FromSeconds(30));

        // Found again by another path (a wider glob would do the same): it was shipped to its end already.
        File.CreateSymbolicLink(Path.Combine(tree.ContainersDirectory, $"again_default_api-{new string('a', 64)}.log"), rotated);
        log.AppendMany(RotationTests.Lines("c", 5));
        var texts = await RotationTests.TextsAsync(target, 45);
        Assert.Equal([.. RotationTests.Lines("a", 20), .. RotationTests.Lines("b", 20), .. RotationTests.Lines("c", 5)], texts);

        // kubelet compresses it and deletes the plain file: nothing can find it again, so nothing needs its checkpoint.
        File.Delete(Path.Combine(tree.ContainersDirectory, $"again_default_api-{new string('a', 64)}.log"));
        File.Delete(rotated);
        await Wait.UntilAsync(
            () => store.Load()!.All(c => c.RealPath != rotated),
            "the deleted file's checkpoint forgotten",
            TimeSpan.FromSeconds(30));
        Assert.Equal(log.RealPath, Assert.Single(store.Load()!).RealPath);
        Assert.Equal(45, target.Frames.Count);
    }

    [Fact]
    public async Task ADrainedPredecessorIsLetGoByItsSuccessor()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("default", "api-0", "api", RuntimeFormat.Cri);
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await RotationTests.StartAsync(dir, tree, target.TcpPort, Fast);
        for (int generation = 0; generation < 3; generation++)
        {
            log.AppendMany(RotationTests.Lines($"g{generation}", 10));
            await target.WaitForFramesAsync(10 * (generation + 1));
            log.RotateLikeKubelet($"20261206-03000{generation}");
        }

        log.AppendMany(RotationTests.Lines("live", 10));
        var texts = await RotationTests.TextsAsync(target, 40);
        Assert.Equal(
            [
                .. RotationTests.Lines("g0", 10), .. RotationTests.Lines("g1", 10), .. RotationTests.Lines("g2", 10),
                .. RotationTests.Lines("live", 10),
            ],
            texts);

        // Each rotation made the new file wait for the old one; once the old ones are drained nothing may point at
        // them, or a container's every generation stays in memory for as long as the pod lives.
        await Wait.UntilAsync(
            () => forwarder.Tailing.Files is [{ Predecessor: null, IsClosed: false }],
            "only the live file tailed, holding no drained predecessor",
            TimeSpan.FromSeconds(30));
    }
}
