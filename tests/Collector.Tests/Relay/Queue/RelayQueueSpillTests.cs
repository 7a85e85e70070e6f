using Collector.Relay.Queue;
using Microsoft.Extensions.Time.Testing;
using TestSupport;

namespace Collector.Tests.Relay.Queue;

public sealed class RelayQueueSpillTests
{
    // RelayQueueLog event ids.
    private const int SpillWriteFailed = 402;
    private const int DamagedRecord = 403;
    private const int DamagedTail = 404;
    private const int Recovered = 407;
    private const int Persisted = 408;

    private static RelayQueueOptions Spilling(TempDirectory dir, int memoryChunks, int segmentRecords, int? diskRecords = null) => new()
    {
        MaxBytes = memoryChunks * (long)RelayChunk.DefaultSize,
        SpillDirectory = dir.Path,
        SegmentBytes = segmentRecords * Chunks.RecordLength,
        MaxSpillBytes = diskRecords is { } records ? records * (long)Chunks.RecordLength : 1L << 30,
        MaxSpillBacklogBytes = 1L << 30,
    };

    private static void EnqueueRange(RelayQueue queue, int from, int to)
    {
        for (int i = from; i <= to; i++)
        {
            queue.Enqueue(Chunks.Numbered(i));
        }
    }

    [Fact]
    public async Task OrderIsKeptFromMemoryToDiskAndBackToMemory()
    {
        using var dir = TempDirectory.Create();
        await using var queue = new RelayQueue(Spilling(dir, memoryChunks: 2, segmentRecords: 4), new CollectingLogger());

        // 0 and 1 fill the memory; 2..29 go to disk, four to a segment.
        EnqueueRange(queue, 0, 29);
        Assert.Equal(20, queue.MemoryMessages);
        await Wait.UntilAsync(() => queue.SpilledMessages == 280, "28 chunks on disk");
        Assert.Equal(7, Chunks.Segments(dir.Path).Length);
        Assert.Equal(300, queue.QueuedMessages);
        Assert.Equal(28 * (Chunks.RecordLength - DiskSpill.HeaderLength), queue.SpilledBytes);

        var taken = await Chunks.TakeAsync(queue, 10);

        // The first segment (2..5) was taken whole and deleted; 6..9 stays until 9 is acknowledged by the next take.
        Assert.Equal(6, Chunks.Segments(dir.Path).Length);

        // The memory has room again, but while chunks wait on disk new ones queue behind them.
        EnqueueRange(queue, 30, 34);
        Assert.Equal(0, queue.MemoryMessages);
        taken.AddRange(await Chunks.TakeAsync(queue, 25));
        Assert.Equal(0, queue.SpilledMessages);

        // The disk part is empty: memory again, until it is full.
        EnqueueRange(queue, 35, 36);
        Assert.Equal(20, queue.MemoryMessages);
        EnqueueRange(queue, 37, 37);
        Assert.Equal(20, queue.MemoryMessages);
        await Wait.UntilAsync(() => queue.SpilledMessages == 10, "chunk 37 on disk");
        taken.AddRange(await Chunks.DrainAsync(queue));

        Assert.Equal(Chunks.MessagesOf(0, 37), taken);
        Assert.Equal(0, queue.DroppedMessages);
        Assert.Equal(0, queue.SpillErrors);
        await queue.DisposeAsync();
        Assert.Empty(Chunks.Segments(dir.Path));
    }

    [Fact]
    public async Task WhenTheDiskBoundIsReachedTheOldestSegmentIsDropped()
    {
        using var dir = TempDirectory.Create();
        var logger = new CollectingLogger();
        await using var queue = new RelayQueue(Spilling(dir, memoryChunks: 1, segmentRecords: 4, diskRecords: 12), logger);

        // 1..40 make ten segments of four; three fit, so 1..28 go, a segment at a time.
        EnqueueRange(queue, 0, 40);
        await Wait.UntilAsync(() => queue.SpilledMessages + queue.DroppedMessages == 400, "chunks 1..40 written or dropped");

        Assert.Equal(280, queue.DroppedMessages);
        Assert.Equal(120, queue.SpilledMessages);
        Assert.Equal(3, Chunks.Segments(dir.Path).Length);
        Assert.NotEmpty(logger.WithEvent(401));
        Assert.Equal([.. Chunks.MessagesOf(0, 0), .. Chunks.MessagesOf(29, 40)], await Chunks.DrainAsync(queue));
    }

    [Fact]
    public async Task ANewQueueOnTheSameDirectorySendsWhatThePreviousOneLeftFirst()
    {
        using var dir = TempDirectory.Create();
        var options = Spilling(dir, memoryChunks: 1, segmentRecords: 4);
        await using (var first = new RelayQueue(options, new CollectingLogger()))
        {
            EnqueueRange(first, 0, 19);
            await Wait.UntilAsync(() => first.SpilledMessages == 190, "19 chunks on disk");

            // 0 from memory, then 1 and 2 from the first segment, which is left partly taken.
            Assert.Equal(Chunks.MessagesOf(0, 2), await Chunks.TakeAsync(first, 3));
            await first.PersistAsync(null);
        }

        var logger = new CollectingLogger();
        await using var second = new RelayQueue(options, logger);
        Assert.Equal(170, second.SpilledMessages);
        Assert.Equal(170L, Assert.Single(logger.WithEvent(Recovered)).Values["Messages"]);

        EnqueueRange(second, 20, 24);
        Assert.Equal(0, second.MemoryMessages);
        Assert.Equal(Chunks.MessagesOf(3, 24), await Chunks.DrainAsync(second));
        Assert.Equal(0, second.DroppedMessages);
    }

    [Fact]
    public async Task PersistWritesTheInFlightAndMemoryChunksInFrontOfTheSegmentsOnDisk()
    {
        using var dir = TempDirectory.Create();
        var options = Spilling(dir, memoryChunks: 3, segmentRecords: 4);
        var logger = new CollectingLogger();
        await using (var first = new RelayQueue(options, logger))
        {
            // 0..2 in memory, 3..9 on disk.
            EnqueueRange(first, 0, 9);
            await Wait.UntilAsync(() => first.SpilledMessages == 70, "7 chunks on disk");
            var inFlight = await first.TakeAsync(CancellationToken.None);
            await first.PersistAsync(inFlight);
            Assert.Equal(100, first.SpilledMessages);
            Assert.Equal(0, first.DroppedMessages);
        }

        Assert.Equal(30L, Assert.Single(logger.WithEvent(Persisted)).Values["Messages"]);
        Assert.Equal(["-1.seg", "0.seg", "1.seg"], Chunks.Segments(dir.Path).Select(Path.GetFileName));
        await using var second = new RelayQueue(options, new CollectingLogger());
        Assert.Equal(Chunks.MessagesOf(0, 9), await Chunks.DrainAsync(second));
    }

    [Fact]
    public async Task AChunkTakenFromDiskAndPersistedComesBackOnceAcrossTwoRestarts()
    {
        using var dir = TempDirectory.Create();
        var options = Spilling(dir, memoryChunks: 1, segmentRecords: 4);
        await using (var first = new RelayQueue(options, new CollectingLogger()))
        {
            EnqueueRange(first, 0, 5);
            await Wait.UntilAsync(() => first.SpilledMessages == 50, "5 chunks on disk");
            Assert.Equal(Chunks.MessagesOf(0, 0), await Chunks.TakeAsync(first, 1));
            var inFlight = await first.TakeAsync(CancellationToken.None);
            Assert.Equal(Chunks.MessagesOf(1, 1), Chunks.Numbers(inFlight!));
            EnqueueRange(first, 6, 6);
            await first.PersistAsync(inFlight);
        }

        await using (var second = new RelayQueue(options, new CollectingLogger()))
        {
            Assert.Equal(60, second.SpilledMessages);
            var inFlight = await second.TakeAsync(CancellationToken.None);
            Assert.Equal(Chunks.MessagesOf(1, 1), Chunks.Numbers(inFlight!));
            await second.PersistAsync(inFlight);
        }

        await using var third = new RelayQueue(options, new CollectingLogger());
        Assert.Equal(Chunks.MessagesOf(1, 6), await Chunks.DrainAsync(third));
    }

    public static TheoryData<string, bool> Damages => new()
    {
        // What is damaged in the third record of the second segment, and whether its count is still known.
        { "payload", true },
        { "checksum", true },
        { "magic", false },
        { "length", false },
        { "cut", false },
    };

    [Theory]
    [MemberData(nameof(Damages))]
    public async Task ADamagedSegmentDeliversTheRecordsBeforeTheDamageAndTheSegmentsAfterIt(string damage, bool countKnown)
    {
        using var dir = TempDirectory.Create();
        var options = Spilling(dir, memoryChunks: 1, segmentRecords: 5);
        await using (var first = new RelayQueue(options, new CollectingLogger()))
        {
            // Segments -1: [0] (persisted from memory), 0: [1..5], 1: [6..10], 2: [11..15].
            EnqueueRange(first, 0, 15);
            await Wait.UntilAsync(() => first.SpilledMessages == 150, "15 chunks on disk");
            await first.PersistAsync(null);
        }

        string segment = Path.Combine(dir.Path, "0.seg");
        long record = 2L * Chunks.RecordLength;
        using (var file = new FileStream(segment, FileMode.Open, FileAccess.ReadWrite))
        {
            if (damage == "cut")
            {
                file.SetLength(record + 30);
            }
            else
            {
                file.Position = record + damage switch { "magic" => 0, "length" => 7, "checksum" => 12, _ => DiskSpill.HeaderLength + 10 };
                int b = file.ReadByte();
                file.Position--;
                file.WriteByte((byte)(b ^ 0x5A));
            }
        }

        var logger = new CollectingLogger();
        await using var second = new RelayQueue(options, logger);
        Assert.Equal(countKnown ? 160 : 130, second.SpilledMessages);
        var taken = await Chunks.DrainAsync(second);

        Assert.Equal([.. Chunks.MessagesOf(0, 2), .. Chunks.MessagesOf(6, 15)], taken);
        Assert.Equal(1, second.SpillErrors);
        Assert.Equal(countKnown ? 30 : 0, second.DroppedMessages);
        Assert.Single(logger.WithEvent(countKnown ? DamagedRecord : DamagedTail));
    }

    [Fact]
    public async Task WhenTheSpillDirectoryCannotBeWrittenTheMemoryQueueKeepsWorking()
    {
        using var dir = TempDirectory.Create();
        string file = dir.Combine("not-a-directory");
        await File.WriteAllTextAsync(file, "x");
        var logger = new CollectingLogger();
        var options = new RelayQueueOptions { MaxBytes = 2L * RelayChunk.DefaultSize, SpillDirectory = Path.Combine(file, "spill") };
        await using var queue = new RelayQueue(options, logger, new FakeTimeProvider());

        // 0 and 1 fit in memory; 2..9 cannot be spilled and are dropped.
        EnqueueRange(queue, 0, 9);
        await Wait.UntilAsync(() => queue.DroppedMessages == 80, "8 chunks dropped");
        Assert.Equal(8, queue.SpillErrors);
        Assert.Equal(1, Assert.Single(logger.WithEvent(SpillWriteFailed)).Values["Errors"]);
        Assert.Equal(Chunks.MessagesOf(0, 1), await Chunks.TakeAsync(queue, 2));

        EnqueueRange(queue, 10, 11);
        Assert.Equal(20, queue.MemoryMessages);
        Assert.Equal(Chunks.MessagesOf(10, 11), await Chunks.DrainAsync(queue));
        Assert.Equal(80, queue.DroppedMessages);
    }

    [Fact]
    public async Task DiscardAllDeletesTheSegmentsAndCountsEverythingAsDropped()
    {
        using var dir = TempDirectory.Create();
        await using var queue = new RelayQueue(Spilling(dir, memoryChunks: 1, segmentRecords: 4), new CollectingLogger());
        EnqueueRange(queue, 0, 9);
        await Wait.UntilAsync(() => queue.SpilledMessages == 90, "9 chunks on disk");

        queue.DiscardAll();
        Assert.Equal(100, queue.DroppedMessages);
        Assert.Equal(0, queue.QueuedMessages);
        Assert.Empty(Chunks.Segments(dir.Path));
        Assert.Null(await queue.TakeAsync(CancellationToken.None));
    }
}
