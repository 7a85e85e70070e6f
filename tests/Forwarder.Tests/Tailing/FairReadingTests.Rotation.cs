using Forwarder.Tailing;
using TestSupport;

namespace Forwarder.Tests.Tailing;

public sealed partial class FairReadingTests
{
    /// <summary>
    /// The defect the docker chaos run found: a rotated generation, drained and closed, still had a batch queued in
    /// the normal lane; its successor, with nothing of its own in flight, counted as quiet and sent its first line in
    /// the urgent lane ahead of it. A successor waits until its predecessor is closed and has nothing in flight.
    /// </summary>
    [Fact]
    public async Task ARotatedFilesQueuedLinesGoBeforeItsSuccessorsFirstLine()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("default", "rotating", "app", RuntimeFormat.Docker);
        await using var loop = LoopUnderTest.Start(dir, tree, rotateWait: TimeSpan.FromMilliseconds(50));

        // quiet-0 goes in the urgent lane and is taken, not delivered; quiet-1, behind it, in the normal lane.
        log.Append("quiet-0");
        var first = await loop.TakeUntilAsync(m => m == "quiet-0");
        var predecessor = loop.Tailer(log);
        log.Append("quiet-1");
        await Wait.UntilAsync(() => loop.Queue.Queued == 1, "the batch with quiet-1");
        Assert.Equal(0, loop.Queue.UrgentQueued);

        // Rotated: the old generation is drained and closed, but quiet-1 is still queued and quiet-0 undelivered.
        log.RotateLikeDocker();
        log.Append("quiet-2");
        await Wait.UntilAsync(
            () => predecessor.IsClosed && SuccessorOf(predecessor) is not null,
            "the old generation to close and the new one to be found");
        var successor = SuccessorOf(predecessor)!;
        Assert.True(predecessor.InFlight);
        Assert.Same(predecessor, successor.Predecessor);
        Assert.False(successor.IsDue(long.MaxValue), "the successor must not be read while its predecessor's lines are queued");
        Assert.Equal(0, successor.ReadOffset);

        // Delivering everything of the old generation lets the successor go, after it.
        loop.Deliver(first.Single());
        var rest = await loop.TakeUntilAsync(m => m == "quiet-2", deliver: true);
        Assert.Equal(["quiet-0", "quiet-1", "quiet-2"], first.Concat(rest).SelectMany(b => b.Messages));
        Assert.Null(successor.Predecessor);

        FileTailer? SuccessorOf(FileTailer old) =>
            loop.Tailing.Files.SingleOrDefault(f => f != old && f.File.Path == old.File.Path && f.Identity != old.Identity);
    }
}
