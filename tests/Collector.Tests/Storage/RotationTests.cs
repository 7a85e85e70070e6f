using System.Globalization;
using Collector.Configuration;
using TestSupport;

namespace Collector.Tests.Storage;

public sealed class RotationTests
{
    /// <summary>Four files' worth of 1000-byte chunks fit under 4096 bytes: each file holds exactly 4 chunks.</summary>
    private const int SmallFile = 4096;

    /// <summary>StorageLog's event id for a failed rename, delete or compression.</summary>
    private const int HousekeepingFailed = 605;

    [Fact]
    public async Task UnderLoadEveryLineIsWrittenExactlyOnceInOrderAndNoneIsSplit()
    {
        const int Producers = 4;
        const int LinesEach = 50_000;
        const long MaxFileSize = 64 * 1024;
        using var dir = TempDirectory.Create();
        using var writer = new WriterHarness(
            dir,
            new CollectorOptions { MaxFileSize = MaxFileSize, MaxFiles = 300, MaxTotalSize = 0, QueueSize = 1 << 20 });
        await writer.StartAsync();

        var producers = Enumerable.Range(0, Producers).Select(p => Task.Run(async () =>
        {
            var random = new Random(p);
            int next = 0;
            while (next < LinesEach)
            {
                int count = Math.Min(random.Next(1, 200), LinesEach - next);
                await writer.WriteAsync(Enumerable.Range(next, count).Select(i => Line(p, i)));
                next += count;
            }
        }));
        await Wait.ForAsync(Task.WhenAll(producers), "the producers");
        await writer.StopAsync();

        var files = writer.FilesOldestFirst().ToList();
        Assert.True(files.Count > 50, $"only {files.Count} files");
        Assert.Equal(0, writer.Counters.DeletedFiles);
        Assert.Equal(files.Count - 1, writer.Counters.Rotations);
        Assert.Equal("messages.1", files[^2]);
        Assert.All(files[..^2], f => Assert.EndsWith(".gz", f, StringComparison.Ordinal));

        var expected = new int[Producers];
        foreach (string file in files)
        {
            string text = writer.Read(file);
            Assert.True(text.Length <= MaxFileSize, $"{file} has {text.Length} bytes");
            Assert.EndsWith("\n", text, StringComparison.Ordinal);
            foreach (string line in WriterHarness.Lines(text))
            {
                int p = line[1] - '0';
                int seq = int.Parse(line.AsSpan(3, 6), CultureInfo.InvariantCulture);
                Assert.Equal(Line(p, expected[p]), line);
                Assert.Equal(expected[p]++, seq);
            }
        }

        Assert.All(expected, count => Assert.Equal(LinesEach, count));
        Assert.Equal(Producers * LinesEach, writer.Counters.LinesWritten);
    }

    [Fact]
    public async Task AChunkLargerThanTheLimitGetsAFileOfItsOwn()
    {
        using var dir = TempDirectory.Create();
        using var writer = new WriterHarness(dir, new CollectorOptions { MaxFileSize = 1024, Compress = false });
        await writer.StartAsync();
        await writer.WriteAsync(WriterHarness.Numbered(0, 10, 50));
        await writer.WriteAsync(WriterHarness.Numbered(10, 100, 50));
        await writer.WriteAsync(WriterHarness.Numbered(110, 10, 50));
        await writer.StopAsync();

        Assert.Equal(["messages", "messages.1", "messages.2"], writer.FileNames());
        Assert.Equal(WriterHarness.Numbered(0, 10, 50), WriterHarness.Lines(writer.Read("messages.2")));
        Assert.Equal(WriterHarness.Numbered(10, 100, 50), WriterHarness.Lines(writer.Read("messages.1")));
        Assert.Equal(WriterHarness.Numbered(110, 10, 50), WriterHarness.Lines(writer.Read("messages")));
    }

    [Fact]
    public async Task KeepsMaxFilesRotatedFilesAndDeletesTheOldest()
    {
        using var dir = TempDirectory.Create();
        using var writer = new WriterHarness(dir, new CollectorOptions { MaxFileSize = SmallFile, MaxFiles = 3 });
        await WriteChunksAsync(writer, 100);

        Assert.Equal(["messages", "messages.1", "messages.2.gz", "messages.3.gz"], writer.FileNames());
        Assert.Equal(24, writer.Counters.Rotations);
        Assert.Equal(21, writer.Counters.DeletedFiles);
        Assert.Equal(WriterHarness.Numbered(840, 160, 100), writer.AllLines());
    }

    [Fact]
    public async Task WithoutCompressionRotatedFilesKeepTheirPlainNames()
    {
        using var dir = TempDirectory.Create();
        using var writer = new WriterHarness(dir, new CollectorOptions { MaxFileSize = SmallFile, MaxFiles = 3, Compress = false });
        await WriteChunksAsync(writer, 100);

        Assert.Equal(["messages", "messages.1", "messages.2", "messages.3"], writer.FileNames());
        Assert.Equal(WriterHarness.Numbered(840, 160, 100), writer.AllLines());
    }

    [Fact]
    public async Task WithNoRotatedFilesTheFullFileIsDeleted()
    {
        using var dir = TempDirectory.Create();
        using var writer = new WriterHarness(dir, new CollectorOptions { MaxFileSize = SmallFile, MaxFiles = 0 });
        await WriteChunksAsync(writer, 10);

        Assert.Equal(["messages"], writer.FileNames());
        Assert.Equal(WriterHarness.Numbered(80, 20, 100), writer.AllLines());
    }

    [Fact]
    public async Task TheTotalSizeCapDeletesTheOldestRotatedFiles()
    {
        using var dir = TempDirectory.Create();
        using var writer = new WriterHarness(
            dir,
            new CollectorOptions { MaxFileSize = SmallFile, MaxFiles = 10, Compress = false, MaxTotalSize = 10_000 });
        await WriteChunksAsync(writer, 100);

        // Two rotated files of 4000 bytes fit under 10000, a third would not; the current file does not count.
        Assert.Equal(["messages", "messages.1", "messages.2"], writer.FileNames());
        Assert.Equal(WriterHarness.Numbered(880, 120, 100), writer.AllLines());
    }

    [Fact]
    public async Task TheTotalSizeCapCountsCompressedSizes()
    {
        using var dir = TempDirectory.Create();
        using var writer = new WriterHarness(dir, new CollectorOptions { MaxFileSize = SmallFile, MaxFiles = 50, MaxTotalSize = 6000 });
        await WriteChunksAsync(writer, 100);

        // messages.1 (4000 bytes, plain) plus as many compressed files of a few hundred bytes as fit; MaxFiles is
        // not reached (24 rotations), so every deletion is the cap's.
        var rotated = writer.FileNames().Where(f => f != "messages").ToArray();
        long total = rotated.Sum(f => new FileInfo(dir.Combine(f)).Length);
        Assert.True(total <= 6000, $"{total} bytes in {string.Join(", ", rotated)}");
        Assert.Contains("messages.3.gz", rotated);
        Assert.True(writer.Counters.DeletedFiles > 0);
        var compressed = Enumerable.Range(2, rotated.Length - 1)
            .Select(i => $"messages.{i}.gz")
            .Order(StringComparer.Ordinal);
        Assert.Equal(["messages.1", .. compressed], rotated);
        Assert.Equal(WriterHarness.Numbered(1000 - (40 * (rotated.Length + 1)), 40 * (rotated.Length + 1), 100), writer.AllLines());
    }

    [Fact]
    public async Task ARotationThatFailsDoesNotStopTheWriterAndIsRetriedWithTheNextChunk()
    {
        using var dir = TempDirectory.Create();
        Directory.CreateDirectory(dir.Combine("messages.1"));
        using var writer = new WriterHarness(dir, new CollectorOptions { MaxFileSize = 1024, Compress = false });
        await writer.StartAsync();
        await writer.WriteAsync(WriterHarness.Numbered(0, 10, 50));
        await writer.WriteAsync(WriterHarness.Numbered(10, 10, 50));
        await writer.WriteAsync(WriterHarness.Numbered(20, 10, 50));
        await Wait.UntilAsync(() => writer.Counters.LinesWritten == 30, "the lines written while rotation fails");

        // The full file goes on growing rather than lines being held back; the failure is logged once, not per chunk.
        Assert.Equal(0, writer.Counters.Rotations);
        Assert.Equal(WriterHarness.Numbered(0, 30, 50), WriterHarness.Lines(writer.Read("messages")));
        Assert.Single(writer.Logger.WithEvent(HousekeepingFailed));

        Directory.Delete(dir.Combine("messages.1"));
        await writer.WriteAsync(WriterHarness.Numbered(30, 10, 50));
        await writer.StopAsync();

        Assert.Equal(1, writer.Counters.Rotations);
        Assert.Equal(WriterHarness.Numbered(0, 30, 50), WriterHarness.Lines(writer.Read("messages.1")));
        Assert.Equal(WriterHarness.Numbered(30, 10, 50), WriterHarness.Lines(writer.Read("messages")));
    }

    [Fact]
    public async Task AnExistingFileIsAppendedToAndNeverTruncated()
    {
        using var dir = TempDirectory.Create();
        await File.WriteAllTextAsync(dir.Combine("messages"), "old 1\nold 2\n");
        using var writer = new WriterHarness(dir);
        await writer.StartAsync();
        Assert.Equal(12, writer.Counters.FileSize);
        await writer.WriteAsync("new 1");
        await writer.StopAsync();

        Assert.Equal("old 1\nold 2\nnew 1\n", writer.Read("messages"));
        Assert.Equal(["messages"], writer.FileNames());
    }

    [Fact]
    public async Task AHalfLineLeftByACrashIsEndedBeforeNewLinesAreAppended()
    {
        using var dir = TempDirectory.Create();
        await File.WriteAllTextAsync(dir.Combine("messages"), "old 1\nold 2 cut sho");
        using var writer = new WriterHarness(dir);
        await writer.StartAsync();
        await writer.WriteAsync("new 1");
        await writer.StopAsync();

        Assert.Equal("old 1\nold 2 cut sho\nnew 1\n", writer.Read("messages"));
    }

    [Fact]
    public async Task AnExistingFileCountsTowardsTheSizeLimit()
    {
        using var dir = TempDirectory.Create();
        string old = string.Concat(WriterHarness.Numbered(0, 40, 100).Select(l => l + "\n"));
        await File.WriteAllTextAsync(dir.Combine("messages"), old);
        using var writer = new WriterHarness(dir, new CollectorOptions { MaxFileSize = SmallFile });
        await writer.StartAsync();
        await writer.WriteAsync(WriterHarness.Numbered(40, 10, 100));
        await writer.StopAsync();

        Assert.Equal(old, writer.Read("messages.1"));
        Assert.Equal(WriterHarness.Numbered(40, 10, 100), WriterHarness.Lines(writer.Read("messages")));
    }

    [Fact]
    public async Task PlainRotatedFilesLeftByACrashAreCompressedAtStart()
    {
        using var dir = TempDirectory.Create();
        await File.WriteAllTextAsync(dir.Combine("messages.1"), "one\n");
        await File.WriteAllTextAsync(dir.Combine("messages.3"), "three\n");
        using var writer = new WriterHarness(dir, new CollectorOptions { MaxFiles = 5 });
        await writer.StartAsync();
        await writer.StopAsync();

        Assert.Equal(["messages", "messages.1", "messages.3.gz"], writer.FileNames());
        Assert.Equal("one\n", writer.Read("messages.1"));
        Assert.Equal("three\n", writer.Read("messages.3.gz"));
    }

    /// <summary>
    /// Starts the writer, writes <paramref name="chunks"/> chunks of 10 lines of 100 bytes (1000 bytes each) and stops
    /// it.
    /// </summary>
    private static async Task WriteChunksAsync(WriterHarness writer, int chunks)
    {
        await writer.StartAsync();
        for (int i = 0; i < chunks; i++)
        {
            await writer.WriteAsync(WriterHarness.Numbered(i * 10, 10, 100));
        }

        await writer.StopAsync();
    }

    private static string Line(int producer, int seq) =>
        $"p{producer} {seq.ToString("D6", CultureInfo.InvariantCulture)} {new string('x', seq % 41)}";
}
