using Collector.Storage;
using TestSupport;

namespace Collector.Tests.Storage;

/// <summary>
/// The writer on a real tmpfs of a few MiB, filled to the last page: a real ENOSPC, not a simulated one.
/// </summary>
public sealed class FullDiskWriterTests
{
    // StorageLog event ids.
    private const int WriteFailed = 603;
    private const int WriteRecovered = 604;
    private const int Abandoned = 609;
    private const int DiskFull = 611;

    [SmallFilesystemFact]
    public async Task OnAFullDiskLinesWaitTheFaultIsReportedAndTheyAreWrittenInOrderOnceSpaceReturns()
    {
        using var dir = TempDirectory.Create();
        using var fs = SmallFilesystem.MountOn(dir, 2);
        using var writer = new WriterHarness(dir, new() { MinFree = MinFreeSpace.Disabled });
        await writer.StartAsync();
        await writer.WriteAsync("before");
        await Wait.UntilAsync(() => writer.Counters.LinesWritten == 1, "the first line");

        // Not a page left: the first 4 KiB page of the file still has room, so the write fails half-way
        // (a partial tail).
        fs.FillLeaving(0);
        var waiting = WriterHarness.Numbered(0, 100, 100);
        await writer.WriteAsync(waiting);
        await Wait.UntilAsync(
            () => writer.Counters.Fault is { NoSpace: true } && writer.Logger.WithEvent(DiskFull).Count > 0,
            "the writer to find the disk full");

        Assert.False(writer.Counters.Writable);
        Assert.Equal(1, writer.Counters.LinesWritten);
        Assert.Equal(100, Assert.Single(writer.Logger.WithEvent(DiskFull)).Values["Lines"]);
        Assert.Empty(writer.Logger.WithEvent(WriteFailed));

        // The partial tail was cut: nothing but the whole first line is in the file while the disk is full.
        Assert.Equal("before\n", writer.Read("messages"));

        fs.FreeFiller();
        // The counters change just before the log entry is made: wait for both.
        await Wait.UntilAsync(
            () => writer.Counters.LinesWritten == 101 && writer.Logger.WithEvent(WriteRecovered).Count > 0,
            "the waiting lines to be written once space returned",
            TimeSpan.FromSeconds(30));
        Assert.Null(writer.Counters.Fault);
        Assert.True(writer.Counters.Writable);
        Assert.Single(writer.Logger.WithEvent(WriteRecovered));
        await writer.WriteAsync("after");
        await writer.StopAsync();

        Assert.Equal(["before", .. waiting, "after"], WriterHarness.Lines(writer.Read("messages")));
    }

    [SmallFilesystemFact]
    public async Task AWriterStartedOnAFullDiskWithAHalfWrittenLineStartsNotWritableAndEndsTheLineOnceItCan()
    {
        using var dir = TempDirectory.Create();
        using var fs = SmallFilesystem.MountOn(dir, 2);

        // A crash left a line without its LF, and the file fills its last page: ending the line needs a new page.
        string half = "first line\n" + new string('h', 4096 - 11);
        File.WriteAllText(dir.Combine("messages"), half);
        fs.FillLeaving(0);
        using var writer = new WriterHarness(dir, new() { MinFree = MinFreeSpace.Disabled });
        await writer.StartAsync();

        Assert.False(writer.Counters.Writable);
        Assert.True(writer.Counters.Fault is { NoSpace: true });
        Assert.Single(writer.Logger.WithEvent(DiskFull));
        Assert.Equal(half, writer.Read("messages"));

        // No line arrives (a pod that is not ready gets no traffic): housekeeping alone must make it writable again.
        fs.FreeFiller();
        await Wait.UntilAsync(() => writer.Counters.Writable && writer.Counters.Fault is null, "the writer to open the file once space returned");
        await writer.WriteAsync("after");
        await writer.StopAsync();
        Assert.Equal(half + "\nafter\n", writer.Read("messages"));
    }

    [SmallFilesystemFact]
    public async Task AShutdownWithTheDiskStillFullAbandonsTheLinesAndDoesNotAcknowledgeThem()
    {
        using var dir = TempDirectory.Create();
        using var fs = SmallFilesystem.MountOn(dir, 2);
        using var writer = new WriterHarness(dir, new() { MinFree = MinFreeSpace.Disabled });
        await writer.StartAsync();
        var written = new WriteAcknowledgement(needsSync: false);
        var first = WriterHarness.Chunk(["acknowledged"]);
        first.Acknowledgement = written;
        await writer.Queue.WriteAsync(first);
        await Wait.ForAsync(written.Written, "the first line's acknowledgement");

        fs.FillLeaving(0);
        var unwritten = new WriteAcknowledgement(needsSync: false);
        var chunk = WriterHarness.Chunk(WriterHarness.Numbered(0, 200, 100));
        chunk.Acknowledgement = unwritten;
        await writer.Queue.WriteAsync(chunk);
        await Wait.UntilAsync(() => writer.Counters.Fault is { NoSpace: true }, "the writer to find the disk full");

        // The host's shutdown timeout ran out while the disk was still full.
        await writer.StopAsync(new CancellationToken(canceled: true));

        Assert.True(unwritten.Written.IsCanceled, "a line that was not written must not be acknowledged");
        var abandoned = Assert.Single(writer.Logger.WithEvent(Abandoned));
        Assert.Equal(1, abandoned.Values["Chunks"]);
        fs.FreeFiller();
        Assert.Equal("acknowledged\n", writer.Read("messages"));
    }
}
