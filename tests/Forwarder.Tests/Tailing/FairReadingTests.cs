using System.Text;
using System.Text.RegularExpressions;
using Forwarder.Configuration;
using Forwarder.Discovery;
using Forwarder.Multiline;
using Forwarder.Shipping;
using Forwarder.Tailing;
using Microsoft.Extensions.Logging.Abstractions;
using TestSupport;

namespace Forwarder.Tests.Tailing;

/// <summary>
/// The real tailing loop on real files, with the test as its shipper: batches are taken from the queue and delivered
/// (committed and returned) only when the test says so. What is asserted is which lines were handed over before which,
/// and where checkpoints stand; never how long anything took.
/// </summary>
public sealed partial class FairReadingTests
{
    private const int BacklogLines = 20_000;

    // Every backlog line is this long, so a line count is an offset.
    private static readonly string Padding = new('x', 150);

    [Fact]
    public async Task AQuietFilesNewLineOvertakesANoisyFilesQueuedBacklog()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var noisy = tree.AddContainer("default", "noisy", "app", RuntimeFormat.Cri);
        var quiet = tree.AddContainer("default", "quiet", "app", RuntimeFormat.Cri);
        noisy.AppendMany(Enumerable.Range(0, BacklogLines).Select(Backlog));
        long lineLength = new FileInfo(noisy.RealPath).Length / BacklogLines;
        await using var loop = LoopUnderTest.Start(dir, tree);
        long share = loop.Queue.FileShareBytes;
        long chunk = loop.Options.MaxLineSize + (64 * 1024);

        // Nothing delivered: the noisy file stops at its share of the queue, far from its end.
        await Wait.UntilAsync(() => loop.Tailing.Counters.ShareWaits > 0, "the noisy file to wait for its share");
        var noisyTailer = loop.Tailer(noisy);
        Assert.InRange(noisyTailer.ReadOffset, share, share + chunk);
        Assert.Equal(0, noisyTailer.CommittedOffset);

        // The quiet file's new line goes in a batch of its own, in the urgent lane, and is taken before the noisy
        // batches queued before it.
        quiet.Append("quiet-0");
        await Wait.UntilAsync(() => loop.Queue.UrgentQueued == 1, "the quiet line's batch in the urgent lane");
        var taken = await loop.TakeUntilAsync(m => m == "quiet-0");
        Assert.Equal(["quiet-0"], taken[0].Messages);
        var noisyQueued = taken.Skip(1).SelectMany(b => b.Messages).ToList();
        Assert.Equal(Enumerable.Range(0, noisyQueued.Count).Select(Backlog), noisyQueued);
        Assert.Equal(noisyTailer.ReadOffset, noisyQueued.Count * lineLength);

        // Checkpoints follow deliveries, batch by batch: the quiet file's moves alone, and the noisy file's never
        // passes an undelivered line.
        loop.Deliver(taken[0]);
        Assert.Equal(new FileInfo(quiet.RealPath).Length, loop.Tailer(quiet).CommittedOffset);
        Assert.Equal(0, noisyTailer.CommittedOffset);
        loop.Deliver(taken[1]);
        Assert.Equal(taken[1].Messages.Count * lineLength, noisyTailer.CommittedOffset);
        foreach (var batch in taken.Skip(2))
        {
            loop.Deliver(batch);
        }

        // Delivering lets it read on, one share at a time, to the end: every line once, in order, nothing else.
        noisy.Append("noisy-end");
        quiet.Append("quiet-1");
        var rest = await loop.TakeUntilAsync(m => m == "quiet-1", deliver: true, andAlso: m => m == "noisy-end");
        var all = taken.Concat(rest).SelectMany(b => b.Messages).ToList();
        Assert.Equal(
            [.. Enumerable.Range(0, BacklogLines).Select(Backlog), "noisy-end"],
            all.Where(m => m.StartsWith("noisy-", StringComparison.Ordinal)));
        Assert.Equal(["quiet-0", "quiet-1"], all.Where(m => m.StartsWith("quiet-", StringComparison.Ordinal)));
        Assert.Equal(BacklogLines + 3, all.Count);
        Assert.Equal(new FileInfo(noisy.RealPath).Length, noisyTailer.CommittedOffset);
    }

    [Fact]
    public async Task AFileWithALineStillInFlightIsNotUrgentSoItsLinesKeepTheirOrder()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var noisy = tree.AddContainer("default", "noisy", "app", RuntimeFormat.Cri);
        var quiet = tree.AddContainer("default", "quiet", "app", RuntimeFormat.Cri);
        noisy.AppendMany(Enumerable.Range(0, BacklogLines).Select(Backlog));
        await using var loop = LoopUnderTest.Start(dir, tree);
        await Wait.UntilAsync(() => loop.Tailing.Counters.ShareWaits > 0, "the noisy file to wait for its share");
        quiet.Append("quiet-0");
        await Wait.UntilAsync(() => loop.Queue.UrgentQueued == 1, "the quiet line's batch in the urgent lane");
        var taken = await loop.TakeUntilAsync(m => m == "quiet-0");
        Assert.Equal(["quiet-0"], taken[0].Messages);

        // quiet-0 is taken but not delivered: quiet-1 must not overtake it, so it goes in the other lane.
        quiet.Append("quiet-1");
        await Wait.UntilAsync(() => loop.Queue.Queued == 1, "the batch with quiet-1");
        Assert.Equal(0, loop.Queue.UrgentQueued);
        var next = await loop.TakeUntilAsync(m => m == "quiet-1");
        Assert.Equal(["quiet-1"], next.Single().Messages);

        // Once everything before it is delivered, the quiet file is urgent again.
        foreach (var batch in taken.Concat(next))
        {
            loop.Deliver(batch);
        }

        quiet.Append("quiet-2");
        await Wait.UntilAsync(() => loop.Queue.UrgentQueued == 1, "quiet-2's batch in the urgent lane");
        noisy.Append("noisy-end");
        var rest = await loop.TakeUntilAsync(m => m == "quiet-2", deliver: true, andAlso: m => m == "noisy-end");
        Assert.Equal(["quiet-2"], rest[0].Messages);
        var all = taken.Concat(next).Concat(rest).SelectMany(b => b.Messages).ToList();
        Assert.Equal(["quiet-0", "quiet-1", "quiet-2"], all.Where(m => m.StartsWith("quiet-", StringComparison.Ordinal)));
        Assert.Equal(
            [.. Enumerable.Range(0, BacklogLines).Select(Backlog), "noisy-end"],
            all.Where(m => m.StartsWith("noisy-", StringComparison.Ordinal)));
        Assert.Equal(BacklogLines + 4, all.Count);
    }

    [Fact]
    public async Task EachBacklogIsHeldAtItsShareAndTheBacklogsTakeTurns()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var first = tree.AddContainer("default", "first", "app", RuntimeFormat.Cri);
        var second = tree.AddContainer("default", "second", "app", RuntimeFormat.Cri);
        first.AppendMany(Enumerable.Range(0, BacklogLines).Select(Backlog));
        second.AppendMany(Enumerable.Range(0, BacklogLines).Select(i => "other-" + Backlog(i)[6..]));
        await using var loop = LoopUnderTest.Start(dir, tree);
        long share = loop.Queue.FileShareBytes;
        long chunk = loop.Options.MaxLineSize + (64 * 1024);

        // With nothing delivered each file has its share in the queue and no more, though the queue has room for both
        // backlogs whole: the rest of the queue stays free for files with new lines.
        await Wait.UntilAsync(
            () => loop.TryTailer(first) is { WaitingForShare: true } && loop.TryTailer(second) is { WaitingForShare: true },
            "both files to wait for their share");
        Assert.InRange(loop.Tailer(first).ReadOffset, share, share + chunk);
        Assert.InRange(loop.Tailer(second).ReadOffset, share, share + chunk);

        first.Append("noisy-end");
        second.Append("other-end");
        var batches = await loop.TakeUntilAsync(m => m == "noisy-end", deliver: true, andAlso: m => m == "other-end");
        var all = batches.SelectMany(b => b.Messages).ToList();
        Assert.Equal(
            [.. Enumerable.Range(0, BacklogLines).Select(Backlog), "noisy-end"],
            all.Where(m => m.StartsWith("noisy-", StringComparison.Ordinal)));
        Assert.Equal(
            [.. Enumerable.Range(0, BacklogLines).Select(i => "other-" + Backlog(i)[6..]), "other-end"],
            all.Where(m => m.StartsWith("other-", StringComparison.Ordinal)));
        Assert.Equal((2 * BacklogLines) + 2, all.Count);

        // Interleaved: the second file's lines did not wait for the first file's backlog to end.
        int firstOther = all.FindIndex(m => m.StartsWith("other-", StringComparison.Ordinal));
        int lastNoisy = all.IndexOf(Backlog(BacklogLines - 1));
        Assert.True(firstOther < lastNoisy / 2, $"the second file's first line came at {firstOther}, the first file's last at {lastNoisy}");
    }

    private static string Backlog(int i) => $"noisy-{i:D6} {Padding}";

    [GeneratedRegex(@"(?:noisy|quiet|other)-\S+(?: x+)?$")]
    private static partial Regex Marker();

    /// <summary>One batch the test took from the queue, with its messages' text (from the marker on).</summary>
    private sealed record TakenBatch(OutgoingBatch Batch, List<string> Messages);

    /// <summary>A tailing loop over a node tree, and the queue it fills; the test ships.</summary>
    private sealed class LoopUnderTest : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _running;

        private LoopUnderTest(ForwarderOptions options, TailingLoop tailing, ShippingQueue queue)
        {
            Options = options;
            Tailing = tailing;
            Queue = queue;
            _running = Task.Run(() => tailing.RunAsync(_stop.Token));
        }

        public ForwarderOptions Options { get; }

        public TailingLoop Tailing { get; }

        public ShippingQueue Queue { get; }

        public static LoopUnderTest Start(TempDirectory dir, NodeLogTree tree, TimeSpan? rotateWait = null)
        {
            // Multiline off: these tests are about the loop's order of reading; with `auto` a file's last line waits
            // in the joiner for its next line or the flush timeout (Pipeline/MultilineTests cover that).
            var options = new ForwarderOptions
            {
                Include = [tree.ContainersGlob],
                State = dir.Combine("state"),
                Multiline = MultilineSpec.Off,
            };
            options = rotateWait is { } wait ? options with { RotateWait = wait } : options;
            var include = options.Include.Select(GlobPattern.Parse).ToList();
            var queue = new ShippingQueue(options.QueueSize);
            var tailing = new TailingLoop(
                options,
                new FileScanner(include, [], null, NullLogger.Instance),
                new DiscoveryWatcher(include, NullLogger.Instance),
                new CheckpointStore(options.State, NullLogger.Instance),
                queue,
                new ShippingCounters(),
                new TailingCounters(),
                TimeProvider.System,
                NullLogger<TailingLoop>.Instance);
            return new LoopUnderTest(options, tailing, queue);
        }

        public FileTailer Tailer(ContainerLog log) => TryTailer(log) ?? throw new InvalidOperationException($"{log.RealPath} is not tailed");

        /// <summary>Null until the first scan found it.</summary>
        public FileTailer? TryTailer(ContainerLog log) => Tailing.Files.SingleOrDefault(f => f.File.RealPath == log.RealPath);

        /// <summary>
        /// Takes batches until one holds a message <paramref name="last"/> (and <paramref name="andAlso"/>) likes.
        /// </summary>
        public async Task<List<TakenBatch>> TakeUntilAsync(Func<string, bool> last, bool deliver = false, Func<string, bool>? andAlso = null)
        {
            var taken = new List<TakenBatch>();
            bool seen = false, seenToo = andAlso is null;
            while (!(seen && seenToo))
            {
                using var deadline = new CancellationTokenSource(Wait.DefaultTimeout);
                await Queue.WaitToTakeAsync(deadline.Token);
                while (Queue.TryTake(out var batch))
                {
                    var messages = Enumerable.Range(0, batch.Count).Select(i => MessageOf(batch[i])).ToList();
                    taken.Add(new TakenBatch(batch, messages));
                    seen |= messages.Exists(m => last(m));
                    seenToo |= andAlso is not null && messages.Exists(m => andAlso(m));
                    if (deliver)
                    {
                        Deliver(taken[^1]);
                    }
                }
            }

            return taken;
        }

        /// <summary>What the shipper does once a target confirmed a batch.</summary>
        public void Deliver(TakenBatch taken)
        {
            taken.Batch.Commit();
            Queue.Return(taken.Batch);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _running);
            Tailing.SaveFinalCheckpoints();
            _stop.Dispose();
        }

        private static string MessageOf(ReadOnlyMemory<byte> message)
        {
            string text = Encoding.UTF8.GetString(message.Span);
            return Marker().Match(text) is { Success: true } m ? m.Value : text;
        }
    }
}
