using Collector.Relay.Queue;
using Microsoft.Extensions.Time.Testing;
using TestSupport;

namespace Collector.Tests.Relay.Queue;

public sealed class RelayQueueTests
{
    // RelayQueueLog event ids.
    private const int Dropped = 401;
    private const int DroppedAtShutdown = 409;
    private const int Discarded = 410;

    [Fact]
    public async Task ChunksComeOutInTheOrderTheyWereQueued()
    {
        await using var queue = new RelayQueue(new RelayQueueOptions(), new CollectingLogger());
        for (int i = 0; i < 20; i++)
        {
            queue.Enqueue(Chunks.Numbered(i));
        }

        Assert.Equal(200, queue.QueuedMessages);
        Assert.Equal(20 * (Chunks.RecordLength - DiskSpill.HeaderLength), queue.QueuedBytes);
        Assert.Equal(20L * RelayChunk.DefaultSize, queue.MemoryBytes);
        Assert.Equal(Chunks.MessagesOf(0, 19), await Chunks.DrainAsync(queue));
        Assert.Equal(0, queue.QueuedMessages);
        Assert.Equal(0, queue.DroppedMessages);
    }

    [Fact]
    public async Task TakeWaitsForTheNextChunkAndCanBeCancelled()
    {
        await using var queue = new RelayQueue(new RelayQueueOptions(), new CollectingLogger());
        var take = queue.TakeAsync(CancellationToken.None).AsTask();
        Assert.False(take.IsCompleted);
        queue.Enqueue(Chunks.Numbered(3));
        var chunk = await Wait.ForAsync(take, "the chunk");
        Assert.Equal(Chunks.MessagesOf(3, 3), Chunks.Numbers(chunk!));
        chunk!.Return();

        using var cancel = new CancellationTokenSource();
        var cancelled = queue.TakeAsync(cancel.Token).AsTask();
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);

        // The cancelled wait leaves nothing behind: the next chunk goes to the next take.
        queue.Enqueue(Chunks.Numbered(4));
        Assert.Equal(Chunks.MessagesOf(4, 4), await Chunks.TakeAsync(queue, 1));
    }

    [Fact]
    public async Task WithoutSpillAFullQueueDropsTheOldestChunksAndCountsTheirMessages()
    {
        var logger = new CollectingLogger();
        var time = new FakeTimeProvider();
        await using var queue = new RelayQueue(new RelayQueueOptions { MaxBytes = 4L * RelayChunk.DefaultSize }, logger, time);
        for (int i = 0; i < 10; i++)
        {
            queue.Enqueue(Chunks.Numbered(i));
        }

        Assert.Equal(60, queue.DroppedMessages);
        Assert.Equal(40, queue.QueuedMessages);
        Assert.Equal(4L * RelayChunk.DefaultSize, queue.MemoryBytes);

        // The first drop is reported at once; the rest are summed up when the interval is over.
        var first = Assert.Single(logger.WithEvent(Dropped));
        Assert.Equal(10L, first.Values["Messages"]);
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.Single(logger.WithEvent(Dropped));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, logger.WithEvent(Dropped).Count);
        Assert.Equal(50L, logger.WithEvent(Dropped)[1].Values["Messages"]);
        Assert.Equal(60L, logger.WithEvent(Dropped)[1].Values["Total"]);

        Assert.Equal(Chunks.MessagesOf(6, 9), await Chunks.DrainAsync(queue));
    }

    [Fact]
    public async Task OneChunkLargerThanTheMemoryBoundIsStillQueuedAlone()
    {
        await using var queue = new RelayQueue(new RelayQueueOptions { MaxBytes = RelayChunk.DefaultSize }, new CollectingLogger());
        queue.Enqueue(Chunks.Numbered(0));
        var huge = RelayChunk.Rent(4 * RelayChunk.DefaultSize);
        Assert.True(huge.TryAppend(Chunks.Message(99)));
        queue.Enqueue(huge);

        Assert.Equal(10, queue.DroppedMessages);
        Assert.Equal([99], await Chunks.DrainAsync(queue));
    }

    [Fact]
    public async Task AfterCompleteTheRestIsTakenThenTakeReturnsNullAndNewChunksAreDropped()
    {
        await using var queue = new RelayQueue(new RelayQueueOptions(), new CollectingLogger());
        queue.Enqueue(Chunks.Numbered(0));
        queue.Enqueue(Chunks.Numbered(1));
        var waiting = new RelayQueue(new RelayQueueOptions(), new CollectingLogger());
        var blocked = waiting.TakeAsync(CancellationToken.None).AsTask();

        queue.Complete();
        waiting.Complete();
        Assert.Null(await Wait.ForAsync(blocked, "a waiting take to end"));
        await waiting.DisposeAsync();

        queue.Enqueue(Chunks.Numbered(2));
        Assert.Equal(10, queue.DroppedMessages);
        Assert.Equal(Chunks.MessagesOf(0, 1), await Chunks.TakeAsync(queue, 2));
        Assert.Null(await queue.TakeAsync(CancellationToken.None));
        Assert.Null(await queue.TakeAsync(CancellationToken.None));
    }

    [Fact]
    public async Task PersistWithoutSpillCountsTheInFlightAndQueuedChunksAsDropped()
    {
        var logger = new CollectingLogger();
        await using var queue = new RelayQueue(new RelayQueueOptions(), logger);
        for (int i = 0; i < 3; i++)
        {
            queue.Enqueue(Chunks.Numbered(i));
        }

        var inFlight = await queue.TakeAsync(CancellationToken.None);
        await queue.PersistAsync(inFlight);

        Assert.Equal(30, queue.DroppedMessages);
        Assert.Equal(0, queue.QueuedMessages);
        Assert.Equal(0, inFlight!.Length);
        Assert.Equal(30L, Assert.Single(logger.WithEvent(DroppedAtShutdown)).Values["Messages"]);
        Assert.Null(await queue.TakeAsync(CancellationToken.None));
    }

    [Fact]
    public async Task DiscardAllDropsWhatIsQueuedAndEndsTheQueue()
    {
        var logger = new CollectingLogger();
        await using var queue = new RelayQueue(new RelayQueueOptions(), logger);
        queue.Enqueue(Chunks.Numbered(0));
        queue.Enqueue(Chunks.Numbered(1));
        queue.DiscardAll();

        Assert.Equal(20, queue.DroppedMessages);
        Assert.Equal(0, queue.QueuedMessages);
        Assert.Equal(20L, Assert.Single(logger.WithEvent(Discarded)).Values["Messages"]);
        Assert.Null(await queue.TakeAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FourThreadsEnqueueingWhileOneConsumerTakesLoseNothing(bool spill)
    {
        using var dir = TempDirectory.Create();

        // With spill the memory holds only a few chunks, so the queue keeps moving between memory and disk.
        var options = spill
            ? new RelayQueueOptions
            {
                MaxBytes = 4L * RelayChunk.DefaultSize,
                SpillDirectory = dir.Path,
                SegmentBytes = 20 * Chunks.RecordLength,
                MaxSpillBacklogBytes = 1L << 40,
            }
            : new RelayQueueOptions { MaxBytes = 1L << 40 };
        await using var queue = new RelayQueue(options, new CollectingLogger());
        const int Producers = 4;
        const int ChunksEach = 500;

        var consumer = Task.Run(async () =>
        {
            var numbers = new List<int>();
            while (await queue.TakeAsync(CancellationToken.None) is { } chunk)
            {
                numbers.AddRange(Chunks.Numbers(chunk));
                chunk.Return();
            }

            return numbers;
        });

        // Producer p sends chunks p, p + 4, p + 8...: each producer's own chunks must keep their order.
        var producers = Enumerable.Range(0, Producers).Select(p => Task.Run(() =>
        {
            for (int i = 0; i < ChunksEach; i++)
            {
                queue.Enqueue(Chunks.Numbered(p + (i * Producers)));
            }
        })).ToArray();
        await Wait.ForAsync(Task.WhenAll(producers), "the producers");
        queue.Complete();
        var taken = await Wait.ForAsync(consumer, "the consumer to take everything");

        Assert.Equal(0, queue.DroppedMessages);
        Assert.Equal(0, queue.SpillErrors);
        Assert.Equal(Producers * ChunksEach * Chunks.MessagesPerChunk, taken.Count);
        Assert.Equal(Enumerable.Range(0, Producers * ChunksEach * Chunks.MessagesPerChunk), taken.Order());
        for (int p = 0; p < Producers; p++)
        {
            var own = taken.Where(n => n / Chunks.MessagesPerChunk % Producers == p).ToList();
            Assert.Equal(own.Order(), own);
        }
    }
}
