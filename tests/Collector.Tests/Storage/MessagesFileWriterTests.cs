using Collector.Configuration;
using TestSupport;

namespace Collector.Tests.Storage;

public sealed class MessagesFileWriterTests
{
    // StorageLog event ids.
    private const int WriteFailed = 603;
    private const int WriteRecovered = 604;
    private const int HousekeepingFailed = 605;
    private const int Reopened = 606;
    private const int Truncated = 607;
    private const int Drained = 608;
    private const int Abandoned = 609;

    [Fact]
    public async Task StartingCreatesTheDirectoryAndTheFileAndCountsWhatIsWritten()
    {
        using var dir = TempDirectory.Create();
        using var writer = new WriterHarness(dir, new CollectorOptions { File = "unused" });
        Directory.Delete(dir.Path);
        await writer.StartAsync();
        Assert.True(File.Exists(writer.Path));
        Assert.True(writer.Counters.Writable);

        await writer.WriteAsync("one", "two");
        await writer.WriteAsync("three");
        await Wait.UntilAsync(() => writer.Counters.BytesWritten == 14 && writer.Counters.Writes >= 1, "three lines");
        Assert.Equal(3, writer.Counters.LinesWritten);
        Assert.Equal(14, writer.Counters.BytesWritten);
        Assert.Equal(14, writer.Counters.FileSize);
        Assert.InRange(writer.Counters.Writes, 1, 2);
        Assert.Equal(0, writer.Counters.Fsyncs);

        await writer.StopAsync();
        Assert.False(writer.Counters.Writable);
        Assert.Equal("one\ntwo\nthree\n", writer.Read("messages"));
    }

    [Fact]
    public async Task StoppingWritesEverythingQueued()
    {
        using var dir = TempDirectory.Create();
        using var writer = new WriterHarness(dir, new CollectorOptions { QueueSize = 64L << 20 });

        // Queued before the writer even starts, so all of it is still waiting when the stop comes.
        for (int i = 0; i < 500; i++)
        {
            await writer.WriteAsync(WriterHarness.Numbered(i * 100, 100, 40));
        }

        Assert.Equal(500, writer.Queue.Count);
        await writer.StartAsync();
        await writer.StopAsync();

        Assert.Equal(WriterHarness.Numbered(0, 50_000, 40), WriterHarness.Lines(writer.Read("messages")));
        Assert.Equal(50_000, writer.Counters.LinesWritten);
        Assert.Equal(0, writer.Queue.QueuedBytes);
        Assert.Equal(50_000L, Assert.Single(writer.Logger.WithEvent(Drained)).Values["Lines"]);
    }

    [Fact]
    public async Task WithAnFsyncIntervalTheFileIsSynced()
    {
        using var dir = TempDirectory.Create();
        using var writer = new WriterHarness(dir, new CollectorOptions { FsyncInterval = TimeSpan.FromMilliseconds(1) });
        await writer.StartAsync();
        await writer.WriteAsync("synced");
        await Wait.UntilAsync(() => writer.Counters.Fsyncs >= 1, "an fsync");
        await writer.StopAsync();
        Assert.Equal("synced\n", writer.Read("messages"));
    }

    [Fact]
    public async Task AFileReplacedFromOutsideIsLeftAndTheNewOneIsWritten()
    {
        using var dir = TempDirectory.Create();
        using var writer = await StartedWithOneLineAsync(dir);

        // logrotate's default: rename, then create an empty file under the old name.
        File.Move(writer.Path, dir.Combine("messages-20261122"));
        await File.WriteAllTextAsync(writer.Path, string.Empty);
        await Wait.UntilAsync(() => writer.Logger.WithEvent(Reopened).Any(), "housekeeping to notice the new file");
        await writer.WriteAsync("after");
        await writer.StopAsync();

        Assert.Equal("before\n", writer.Read("messages-20261122"));
        Assert.Equal("after\n", writer.Read("messages"));
    }

    [Fact]
    public async Task AFileRemovedFromOutsideIsRecreated()
    {
        using var dir = TempDirectory.Create();
        using var writer = await StartedWithOneLineAsync(dir);

        File.Delete(writer.Path);
        await Wait.UntilAsync(() => File.Exists(writer.Path), "housekeeping to recreate the file");
        await writer.WriteAsync("after");
        await writer.StopAsync();

        Assert.Equal("after\n", writer.Read("messages"));
        Assert.Single(writer.Logger.WithEvent(Reopened));
    }

    [Fact]
    public async Task AFileTruncatedFromOutsideIsAppendedToAtItsNewEnd()
    {
        using var dir = TempDirectory.Create();
        using var writer = new WriterHarness(dir);
        await writer.StartAsync();
        await writer.WriteAsync("before 1", "before 2");
        await Wait.UntilAsync(() => writer.Counters.LinesWritten == 2, "the first lines");

        using (new FileStream(writer.Path, FileMode.Truncate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
        }

        await Wait.UntilAsync(() => writer.Logger.WithEvent(Truncated).Count > 0, "housekeeping to notice the truncation");
        await writer.WriteAsync("after");
        await writer.StopAsync();

        Assert.Equal("after\n", writer.Read("messages"));
    }

    [Fact]
    public async Task LinesWrittenRightAfterATruncationFromOutsideLeaveNoHoleOfNulBytes()
    {
        // logrotate's copytruncate: traffic does not pause for the once-a-second housekeeping, and a write at the old
        // offset would leave the file starting with that many NUL bytes.
        using var dir = TempDirectory.Create();
        using var writer = new WriterHarness(dir);
        await writer.StartAsync();
        await writer.WriteAsync(WriterHarness.Numbered(0, 100, 100));
        await Wait.UntilAsync(() => writer.Counters.LinesWritten == 100, "the first lines");

        using (new FileStream(writer.Path, FileMode.Truncate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
        }

        await writer.WriteAsync("after");
        await writer.StopAsync();

        Assert.Equal("after\n", writer.Read("messages"));
        Assert.Equal(6, writer.Counters.FileSize);
    }

    [Fact]
    public async Task WhileTheFileCannotBeOpenedLinesWaitAndAreWrittenOnceItCan()
    {
        using var dir = TempDirectory.Create();
        using var writer = await StartedWithOneLineAsync(dir);

        // A directory where the file was: housekeeping cannot reopen it, and neither can the next write.
        File.Delete(writer.Path);
        Directory.CreateDirectory(writer.Path);
        await Wait.UntilAsync(() => writer.Logger.WithEvent(HousekeepingFailed).Count > 0, "housekeeping to fail to reopen the file");
        Assert.Single(writer.Logger.WithEvent(Reopened));
        Assert.False(writer.Counters.Writable);

        await writer.WriteAsync("during 1", "during 2");
        // The counters change just before the log entry is made: wait for both.
        await Wait.UntilAsync(() => writer.Counters.WriteErrors >= 1 && writer.Logger.WithEvent(WriteFailed).Count > 0, "a failed write");
        Assert.False(writer.Counters.Writable);
        Assert.Equal(2, Assert.Single(writer.Logger.WithEvent(WriteFailed)).Values["Lines"]);
        Assert.Equal(1, writer.Counters.LinesWritten);

        Directory.Delete(writer.Path);
        await Wait.UntilAsync(() => writer.Logger.WithEvent(WriteRecovered).Count > 0, "the waiting lines to be written");
        Assert.Equal(3, writer.Counters.LinesWritten);
        Assert.True(writer.Counters.Writable);
        Assert.Single(writer.Logger.WithEvent(WriteRecovered));
        await writer.WriteAsync("after");
        await writer.StopAsync();

        Assert.Equal("during 1\nduring 2\nafter\n", writer.Read("messages"));
    }

    [Fact]
    public async Task WhenTheFileCanBeOpenedAgainWithoutTrafficItIsWritableAgain()
    {
        using var dir = TempDirectory.Create();
        using var writer = new WriterHarness(dir);
        await writer.StartAsync();
        File.Delete(writer.Path);
        Directory.CreateDirectory(writer.Path);
        await Wait.UntilAsync(() => writer.Logger.WithEvent(HousekeepingFailed).Count > 0, "housekeeping to fail to reopen the file");
        Assert.False(writer.Counters.Writable);

        // Readiness depends on Writable: it must come back without a line arriving (none arrive while not ready).
        Directory.Delete(writer.Path);
        await Wait.UntilAsync(() => writer.Counters.Writable && File.Exists(writer.Path), "housekeeping to reopen the file");
        await writer.WriteAsync("after");
        await writer.StopAsync();
        Assert.Equal("after\n", writer.Read("messages"));
        Assert.Single(writer.Logger.WithEvent(HousekeepingFailed));
    }

    [Fact]
    public async Task AStopThatTimesOutWhileWritesFailSaysWhatWasNotWritten()
    {
        using var dir = TempDirectory.Create();
        using var writer = new WriterHarness(dir);
        await writer.StartAsync();
        File.Delete(writer.Path);
        Directory.CreateDirectory(writer.Path);
        await Wait.UntilAsync(() => writer.Logger.WithEvent(HousekeepingFailed).Count > 0, "housekeeping to fail to reopen the file");
        Assert.False(writer.Counters.Writable);
        await writer.WriteAsync("lost 1", "lost 2");
        await writer.WriteAsync("lost 3");
        await Wait.UntilAsync(() => writer.Counters.WriteErrors >= 1, "a failed write");

        await writer.StopAsync(new CancellationToken(canceled: true));

        var abandoned = Assert.Single(writer.Logger.WithEvent(Abandoned));
        Assert.True((int)abandoned.Values["Chunks"]! >= 1);
        Assert.Equal(0, writer.Counters.LinesWritten);
        Assert.False(writer.Counters.Writable);
    }

    /// <summary>A started writer that has written the line "before".</summary>
    private static async Task<WriterHarness> StartedWithOneLineAsync(TempDirectory dir)
    {
        var writer = new WriterHarness(dir);
        await writer.StartAsync();
        await writer.WriteAsync("before");
        await Wait.UntilAsync(() => writer.Counters.LinesWritten == 1, "the first line");
        return writer;
    }
}
