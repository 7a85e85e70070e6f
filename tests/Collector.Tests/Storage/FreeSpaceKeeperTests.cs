using System.IO.Compression;
using Collector.Storage;
using Collector.Storage.Index;
using TestSupport;

namespace Collector.Tests.Storage;

/// <summary>
/// <c>--min-free</c> on a real tmpfs: the oldest rotated files go first, the current file and other files never.
/// </summary>
public sealed class FreeSpaceKeeperTests
{
    private const int Page = 4096;

    // StorageLog event ids.
    private const int DeletedForMinFree = 612;
    private const int MinFreeExhausted = 613;

    [SmallFilesystemFact]
    public void DeletesTheOldestRotatedFilesFirstWithTheirIndexesAndNothingElse()
    {
        using var dir = TempDirectory.Create();
        using var fs = SmallFilesystem.MountOn(dir, 4);
        var files = new MessagesFiles(dir.Combine("messages"), maxFiles: 3);
        string[] ours = ["messages", "messages.1", "messages.2.gz", "messages.3.gz", "messages.4"];
        foreach (string name in ours)
        {
            Create(dir.Combine(name), name, 40 * Page);
        }

        // Names that look like ours but are not (messages.bak, another program's log) and an index of no file of ours.
        Create(dir.Combine("messages.bak"), "messages.bak", 10 * Page);
        Create(dir.Combine("notes.txt"), "notes.txt", 10 * Page);
        Directory.CreateDirectory(files.IndexDirectory);
        foreach (string name in ours)
        {
            File.WriteAllText(IndexOf(files, dir.Combine(name)), "index");
        }

        string foreignIndex = Path.Combine(files.IndexDirectory, "00000000000000aa-12.idx");
        File.WriteAllText(foreignIndex, "index");

        // Enough space is missing that messages.4 (left by a larger --max-files) and messages.3.gz must go, not more.
        fs.FillLeaving(16 * Page);
        long available = fs.Available;
        long needed = Pages(dir.Combine("messages.4")) + Pages(dir.Combine("messages.3.gz")) - (2 * Page);
        var counters = new StorageCounters();
        var logger = new CollectingLogger();
        string[] indexesBefore = [.. ours.Select(n => IndexOf(files, dir.Combine(n)))];
        long deletedBytes = new FileInfo(dir.Combine("messages.4")).Length + new FileInfo(dir.Combine("messages.3.gz")).Length;
        var keeper = new FreeSpaceKeeper(files, new MinFreeSpace(available + needed, null), counters, new TypedLogger<FreeSpaceKeeper>(logger));

        Assert.True(keeper.Keep());

        Assert.Equal(
            [dir.Combine("messages.4"), dir.Combine("messages.3.gz")],
            logger.WithEvent(DeletedForMinFree).Select(e => (string)e.Values["File"]!));
        Assert.Equal(["filler.bin", "messages", "messages.1", "messages.2.gz", "messages.bak", "notes.txt"], Names(dir.Path));
        string[] keptIndexes = [.. indexesBefore[..3].Select(i => Path.GetFileName(i)!), Path.GetFileName(foreignIndex)];
        Assert.Equal(keptIndexes.Order(StringComparer.Ordinal), Names(files.IndexDirectory));
        Assert.Equal((2, deletedBytes), (counters.MinFreeDeletedFiles, counters.MinFreeDeletedBytes));
        Assert.True(
            counters.VolumeAvailable >= available + needed,
            $"{counters.VolumeAvailable} bytes free after deleting, wanted {available + needed}");
        Assert.Equal(available + needed, counters.MinFreeBytes);
        Assert.Equal("messages", File.ReadAllText(dir.Combine("messages"))[..8]);

        // Enough is free now: a second look deletes nothing.
        Assert.False(keeper.Keep());
        Assert.Equal(2, logger.WithEvent(DeletedForMinFree).Count);
    }

    [SmallFilesystemFact]
    public void TheCurrentFileIsNeverDeletedAndTheShortfallIsSaidOnce()
    {
        using var dir = TempDirectory.Create();
        using var fs = SmallFilesystem.MountOn(dir, 4);
        var files = new MessagesFiles(dir.Combine("messages"), maxFiles: 9);
        Create(dir.Combine("messages"), "messages", 10 * Page);
        Create(dir.Combine("messages.1"), "messages.1", 10 * Page);
        var counters = new StorageCounters();
        var logger = new CollectingLogger();

        // More than the volume can ever have free.
        var keeper = new FreeSpaceKeeper(files, new MinFreeSpace(fs.Size, null), counters, new TypedLogger<FreeSpaceKeeper>(logger));
        Assert.True(keeper.Keep());
        Assert.False(keeper.Keep());
        Assert.False(keeper.Keep());

        Assert.Equal(dir.Combine("messages.1"), Assert.Single(logger.WithEvent(DeletedForMinFree)).Values["File"]);
        Assert.Single(logger.WithEvent(MinFreeExhausted));
        Assert.Equal(["messages"], Names(dir.Path));
        Assert.Equal(10 * Page, new FileInfo(dir.Combine("messages")).Length);
    }

    [SmallFilesystemFact]
    public void AtZeroNothingIsDeletedButTheVolumeIsStillMeasured()
    {
        using var dir = TempDirectory.Create();
        using var fs = SmallFilesystem.MountOn(dir, 4);
        var files = new MessagesFiles(dir.Combine("messages"), maxFiles: 9);
        Create(dir.Combine("messages"), "messages", 10 * Page);
        Create(dir.Combine("messages.1"), "messages.1", 10 * Page);
        fs.FillLeaving(0);
        var counters = new StorageCounters();
        var logger = new CollectingLogger();
        var keeper = new FreeSpaceKeeper(files, MinFreeSpace.Disabled, counters, new TypedLogger<FreeSpaceKeeper>(logger));

        Assert.False(keeper.Keep());

        Assert.Equal(["filler.bin", "messages", "messages.1"], Names(dir.Path));
        Assert.Empty(logger.Entries);
        Assert.Equal((4L << 20, 0L), (counters.VolumeSize, counters.MinFreeBytes));
        Assert.InRange(counters.VolumeAvailable, 0, Page);
    }

    [Fact]
    public void ADirectoryNotCreatedYetIsNoProblemAndMeasuredOnceItExists()
    {
        using var dir = TempDirectory.Create();
        var files = new MessagesFiles(dir.Combine("data", "messages"), maxFiles: 9);
        var counters = new StorageCounters();
        var logger = new CollectingLogger();
        var keeper = new FreeSpaceKeeper(files, MinFreeSpace.Default, counters, logger);

        Assert.False(keeper.Keep());
        Assert.Empty(logger.Entries);
        Assert.Equal(-1, counters.VolumeSize);

        Directory.CreateDirectory(dir.Combine("data"));
        keeper.Keep();
        Assert.True(counters.VolumeSize > 0);
        Assert.True(counters.VolumeAvailable >= 0);
        Assert.Equal(MinFreeSpace.Default.For(counters.VolumeSize), counters.MinFreeBytes);
    }

    [SmallFilesystemFact]
    public async Task WhileRotatingTheWriterDeletesTheOldestFilesSoTheNewestLinesStayInOrderAndOtherFilesStay()
    {
        using var dir = TempDirectory.Create();
        using var fs = SmallFilesystem.MountOn(dir, 4);
        File.WriteAllText(dir.Combine("notes.txt"), "another program's file\n");
        File.WriteAllText(dir.Combine("messages.bak"), "a copy someone made\n");
        var options = new Collector.Configuration.CollectorOptions
        {
            MaxFileSize = 128 * 1024,
            MaxFiles = 100,
            Compress = false,
            MaxTotalSize = 0,
            MinFree = new MinFreeSpace(null, 50),
        };
        using var writer = new WriterHarness(dir, options);
        await writer.StartAsync();

        // Three times what the volume holds, so without --min-free the disk would be full twice over.
        const int Lines = 120_000;
        for (int first = 0; first < Lines; first += 500)
        {
            await writer.WriteAsync(WriterHarness.Numbered(first, 500, 100));
        }

        await Wait.UntilAsync(() => writer.Counters.LinesWritten == Lines, "every line written", TimeSpan.FromSeconds(60));
        await Wait.UntilAsync(
            () => writer.Counters.VolumeAvailable >= writer.Counters.MinFreeBytes,
            "--min-free to be kept again",
            TimeSpan.FromSeconds(10));
        await writer.StopAsync();

        // What is left is the newest lines, whole files of them, each once and in order, ending on the last one.
        var kept = writer.AllLines();
        int oldest = int.Parse(kept[0][..6], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(WriterHarness.Numbered(oldest, Lines - oldest, 100), kept);
        Assert.True(oldest > 0, "nothing was deleted: the test proved nothing");
        Assert.Equal(2L << 20, writer.Counters.MinFreeBytes);
        Assert.True(writer.Counters.MinFreeDeletedFiles > 0);
        Assert.Equal("another program's file\n", File.ReadAllText(dir.Combine("notes.txt")));
        Assert.Equal("a copy someone made\n", File.ReadAllText(dir.Combine("messages.bak")));
        Assert.True(File.Exists(writer.Path));
    }

    /// <summary>
    /// A file of <paramref name="length"/> bytes of lines naming it (gzip'd when the name says so;
    /// random filler keeps it large).
    /// </summary>
    private static void Create(string path, string name, int length)
    {
        var text = new System.Text.StringBuilder();
        var random = new Random(name.GetHashCode(StringComparison.Ordinal));
        while (text.Length < length)
        {
            text.Append(name).Append(' ').Append(random.NextInt64().ToString("x16", System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        }

        byte[] bytes = System.Text.Encoding.ASCII.GetBytes(text.ToString(0, length));
        if (!path.EndsWith(".gz", StringComparison.Ordinal))
        {
            File.WriteAllBytes(path, bytes);
            return;
        }

        using var output = File.Create(path);
        using var gzip = new GZipStream(output, CompressionLevel.Fastest);
        gzip.Write(bytes);
    }

    /// <summary>
    /// Where the index store keeps the index of <paramref name="path"/>: named by the hash of its first 4 KiB.
    /// </summary>
    private static string IndexOf(MessagesFiles files, string path)
    {
        using var stream = File.OpenRead(path);
        using var input = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(stream, CompressionMode.Decompress) : (Stream)stream;
        var prefix = new byte[FileKey.MaxPrefix];
        int n = input.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        return Path.Combine(files.IndexDirectory, FileKey.Of(prefix.AsSpan(0, n)).Name + ".idx");
    }

    private static long Pages(string path) => (new FileInfo(path).Length + Page - 1) / Page * Page;

    private static string[] Names(string directory) =>
        [.. Directory.GetFiles(directory).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal)];
}
