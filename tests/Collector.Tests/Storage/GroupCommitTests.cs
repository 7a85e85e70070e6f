using Collector.Configuration;
using Collector.Storage;
using Microsoft.Win32.SafeHandles;
using TestSupport;

namespace Collector.Tests.Storage;

/// <summary>
/// The writer's group commit for <c>--relp-ack-after fsync</c>, with an fdatasync that the test holds and releases
/// (a gate in front of the real one) and that records what the file held when it started: the length and the name of
/// the file behind the descriptor. An acknowledgement may complete only after an fdatasync that started after its
/// chunk was written, and writing must go on while an fdatasync is in flight.
/// </summary>
public sealed class GroupCommitTests
{
    private const int WriteFailedEvent = 603;
    private const int AbandonedEvent = 609;
    private const int HousekeepingFailedEvent = 605;

    [Fact]
    public async Task WritesGoOnDuringAnFdatasyncAndOnlyTheChunksWrittenBeforeItStartedAreAcknowledgedByIt()
    {
        using var dir = TempDirectory.Create();
        using var writer = new WriterHarness(dir);
        using var sync = new GatedSync();
        writer.Writer.DataSyncFlush = sync.Flush;
        await writer.StartAsync();

        var first = await QueueAsync(writer, "first");
        await Wait.UntilAsync(() => sync.Started.Count == 1, "the first fdatasync to start");
        Assert.Equal("first\n".Length, sync.Started[0].Length);
        Assert.False(first.Written.IsCompleted, "acknowledged before its fdatasync returned");

        // The first fdatasync is held: the writer still takes and writes the next chunk.
        var second = await QueueAsync(writer, "second");
        await Wait.UntilAsync(() => writer.Counters.LinesWritten == 2, "the second line to be written during the fdatasync");
        Assert.Equal("first\nsecond\n", writer.Read("messages"));
        Assert.False(second.Written.IsCompleted);

        sync.Release();
        await Wait.ForAsync(first.Written, "the first acknowledgement");

        // "second" was written after the first fdatasync had started: only the next one may acknowledge it.
        await Wait.UntilAsync(() => sync.Started.Count == 2, "the second fdatasync to start");
        Assert.Equal("first\nsecond\n".Length, sync.Started[1].Length);
        Assert.False(second.Written.IsCompleted, "acknowledged by an fdatasync that started before its write");

        sync.Release();
        await Wait.ForAsync(second.Written, "the second acknowledgement");
        await writer.StopAsync();
        Assert.Equal(2, sync.Completed);
        Assert.Equal(["first", "second"], writer.AllLines());
    }

    [Fact]
    public async Task ManyChunksWrittenDuringOneFdatasyncShareTheNext()
    {
        using var dir = TempDirectory.Create();
        using var writer = new WriterHarness(dir);
        using var sync = new GatedSync();
        writer.Writer.DataSyncFlush = sync.Flush;
        await writer.StartAsync();

        var first = await QueueAsync(writer, "0");
        await Wait.UntilAsync(() => sync.Started.Count == 1, "the first fdatasync to start");
        var rest = new List<WriteAcknowledgement>();
        for (int i = 1; i <= 50; i++)
        {
            rest.Add(await QueueAsync(writer, i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        await Wait.UntilAsync(() => writer.Counters.LinesWritten == 51, "all lines to be written during the fdatasync");
        Assert.DoesNotContain(rest, a => a.Written.IsCompleted);

        sync.Open();
        await Wait.ForAsync(Task.WhenAll(rest.Select(a => a.Written).Append(first.Written)), "every acknowledgement");
        await writer.StopAsync();

        // One fdatasync for the first chunk, one for the fifty written while it ran.
        Assert.Equal(2, sync.Started.Count);
        Assert.Equal(2, writer.Counters.Fsyncs);
        Assert.Equal(Enumerable.Range(0, 51).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), writer.AllLines());
    }

    [Fact]
    public async Task AcrossARotationTheLinesOfTheRotatedFileAreSyncedThroughItsOwnDescriptor()
    {
        using var dir = TempDirectory.Create();
        using var writer = new WriterHarness(dir, new CollectorOptions { MaxFileSize = 100, Compress = false });
        using var sync = new GatedSync();
        writer.Writer.DataSyncFlush = sync.Flush;
        await writer.StartAsync();

        string a = new('a', 79), b = new('b', 79), c = new('c', 79);
        var first = await QueueAsync(writer, a);
        await Wait.UntilAsync(() => sync.Started.Count == 1, "the first fdatasync to start");

        // Written while the first fdatasync is held: b rotates a's file away, c rotates b's file away. The next
        // fdatasync syncs b through the descriptor of the file now called messages.1, and c through the new one.
        var second = await QueueAsync(writer, b);
        var third = await QueueAsync(writer, c);
        await Wait.UntilAsync(() => writer.Counters.LinesWritten == 3 && writer.Counters.Rotations == 2, "two rotations");
        sync.Open();
        await Wait.ForAsync(Task.WhenAll(first.Written, second.Written, third.Written), "every acknowledgement");
        await writer.StopAsync();

        Assert.Equal(dir.Combine("messages"), sync.Started[0].File);
        Assert.Equal([dir.Combine("messages.1"), dir.Combine("messages")], sync.Started.Skip(1).Select(s => s.File));
        Assert.Equal([a, b, c], writer.AllLines());
    }

    [Fact]
    public async Task AFailingFdatasyncIsRetriedAndAcknowledgesNothingUntilOneSucceeds()
    {
        using var dir = TempDirectory.Create();
        using var writer = new WriterHarness(dir);
        using var sync = new GatedSync { Failures = 2 };
        writer.Writer.DataSyncFlush = sync.Flush;
        await writer.StartAsync();
        sync.Open();

        var ack = await QueueAsync(writer, "line");
        await Wait.UntilAsync(() => writer.Logger.WithEvent(WriteFailedEvent).Count == 1, "the first failure to be logged");
        Assert.False(ack.Written.IsCompleted);
        await Wait.ForAsync(ack.Written, "the acknowledgement after the retries");
        await writer.StopAsync();

        Assert.Equal(3, sync.Started.Count);
        Assert.Equal(2, writer.Counters.WriteErrors);
        Assert.Equal(2, writer.Logger.WithEvent(WriteFailedEvent).Count);
    }

    [Fact]
    public async Task StoppingWaitsForTheFdatasyncOfWhatWasWritten()
    {
        using var dir = TempDirectory.Create();
        using var writer = new WriterHarness(dir);
        using var sync = new GatedSync();
        writer.Writer.DataSyncFlush = sync.Flush;
        await writer.StartAsync();

        var ack = await QueueAsync(writer, "line");
        await Wait.UntilAsync(() => sync.Started.Count == 1, "the fdatasync to start");
        var stopping = writer.StopAsync();
        Assert.False(stopping.IsCompleted, "stopped with an fdatasync in flight");
        Assert.False(ack.Written.IsCompleted);

        sync.Open();
        await stopping;
        Assert.True(ack.Written.IsCompletedSuccessfully);
        Assert.Equal(1, sync.Completed);
    }

    [Fact]
    public async Task WhenTheStopTimesOutWhileFdatasyncFailsTheAcknowledgementIsAbandoned()
    {
        using var dir = TempDirectory.Create();
        using var writer = new WriterHarness(dir);
        using var sync = new GatedSync { Failures = int.MaxValue };
        writer.Writer.DataSyncFlush = sync.Flush;
        await writer.StartAsync();
        sync.Open();

        var ack = await QueueAsync(writer, "line");
        await Wait.UntilAsync(() => writer.Counters.WriteErrors >= 1, "a failed fdatasync");
        using var timedOut = new CancellationTokenSource();
        var stopping = writer.StopAsync(timedOut.Token);
        Assert.False(stopping.IsCompleted, "stopped while the fdatasync still fails");
        await timedOut.CancelAsync();
        await stopping;

        Assert.True(ack.Written.IsCanceled, $"the acknowledgement is {ack.Written.Status}");
        Assert.Single(writer.Logger.WithEvent(AbandonedEvent));
        Assert.Equal(["line"], writer.AllLines());
    }

    [Fact]
    public async Task AChunkWhoseWriteFailsIsNeverAcknowledged()
    {
        using var dir = TempDirectory.Create();
        using var writer = new WriterHarness(dir);
        using var sync = new GatedSync();
        writer.Writer.DataSyncFlush = sync.Flush;
        await writer.StartAsync();
        sync.Open();

        // The path becomes a directory: once housekeeping has let go of the removed file, every open fails.
        File.Delete(writer.Path);
        Directory.CreateDirectory(writer.Path);
        await Wait.UntilAsync(() => writer.Logger.WithEvent(HousekeepingFailedEvent).Count > 0, "housekeeping to fail to reopen the file");
        var ack = await QueueAsync(writer, "unwritable");
        await Wait.UntilAsync(() => writer.Counters.WriteErrors >= 2, "the write to fail twice");
        Assert.False(ack.Written.IsCompleted);

        await writer.StopAsync(new CancellationToken(canceled: true));
        Assert.True(ack.Written.IsCanceled, $"the acknowledgement is {ack.Written.Status}");
        Assert.Empty(sync.Started);
        Assert.Equal(0, writer.Counters.LinesWritten);
    }

    [Fact]
    public async Task WithAckAfterWriteNoFdatasyncIsMade()
    {
        using var dir = TempDirectory.Create();
        using var writer = new WriterHarness(dir);
        using var sync = new GatedSync();
        writer.Writer.DataSyncFlush = sync.Flush;
        await writer.StartAsync();

        var chunk = WriterHarness.Chunk(["line"]);
        var ack = new WriteAcknowledgement(needsSync: false);
        chunk.Acknowledgement = ack;
        await writer.Queue.WriteAsync(chunk);
        await Wait.ForAsync(ack.Written, "the acknowledgement");
        await writer.StopAsync();

        Assert.Empty(sync.Started);
        Assert.Equal(["line"], writer.AllLines());
    }

    private static async Task<WriteAcknowledgement> QueueAsync(WriterHarness writer, string line)
    {
        var chunk = WriterHarness.Chunk([line]);
        var ack = new WriteAcknowledgement(needsSync: true);
        chunk.Acknowledgement = ack;
        await writer.Queue.WriteAsync(chunk);
        return ack;
    }

    /// <summary>
    /// fdatasync behind a gate: each call records the file's length and name, waits until released (one call per
    /// <see cref="Release"/>, or every call after <see cref="Open"/>), fails the first <see cref="Failures"/> times,
    /// then does the real fdatasync.
    /// </summary>
    private sealed class GatedSync : IDisposable
    {
        private readonly SemaphoreSlim _gate = new(0);
        private readonly Lock _lock = new();
        private readonly List<(long Length, string File)> _started = [];
        private volatile bool _open;
        private int _completed;
        private int _calls;

        public int Failures { get; init; }

        public IReadOnlyList<(long Length, string File)> Started
        {
            get
            {
                lock (_lock)
                {
                    return [.. _started];
                }
            }
        }

        public int Completed => Volatile.Read(ref _completed);

        public void Release() => _gate.Release();

        public void Open()
        {
            _open = true;
            _gate.Release();
        }

        public void Flush(SafeFileHandle file)
        {
            string name = new FileInfo($"/proc/self/fd/{file.DangerousGetHandle()}").LinkTarget!;
            lock (_lock)
            {
                _started.Add((RandomAccess.GetLength(file), name));
            }

            if (!_open && !_gate.Wait(TimeSpan.FromSeconds(30)))
            {
                throw new TimeoutException("the test never released the fdatasync");
            }

            if (Interlocked.Increment(ref _calls) <= Failures)
            {
                throw new IOException("fdatasync failed (test)");
            }

            DataSync.Flush(file);
            Interlocked.Increment(ref _completed);
        }

        public void Dispose() => _gate.Dispose();
    }
}
