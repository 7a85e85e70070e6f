using Collector.Storage;
using Collector.Storage.Index;
using Collector.Tests.Search;
using TestSupport;

namespace Collector.Tests.Storage;

/// <summary>
/// The index store on real files: which files it finds, and how their indexes follow them and stay true.
/// </summary>
public sealed class IndexStoreTests
{
    private const int IndexedEvent = 504;
    private const int MismatchEvent = 502;

    [Fact]
    public void OpenAllFindsTheFilesNewestFirstAndPassesOverAGap()
    {
        using var logs = StoredLogs.Create();
        logs.Write(".3.gz", [logs.NextLine("a")]);
        logs.Write(".1", [logs.NextLine("a")]);
        logs.Write(string.Empty, [logs.NextLine("a")]);

        var files = logs.Store.OpenAll();
        try
        {
            Assert.Equal([logs.PathOf(string.Empty), logs.PathOf(".1"), logs.PathOf(".3.gz")], files.Select(f => f.Path));
            Assert.Equal([false, false, true], files.Select(f => f.Compressed));
            Assert.Equal(logs.Lines.Select(l => (long)l.Line.Length + 1).Reverse(), files.Select(f => f.Length));
        }
        finally
        {
            files.ForEach(f => f.Dispose());
        }
    }

    [Fact]
    public void AnIndexFollowsItsFileThroughRotationAndCompressionWithoutARebuild()
    {
        using var logs = StoredLogs.Create();
        logs.Write(string.Empty, Enumerable.Range(0, 2000).Select(_ => logs.NextLine("a")));
        var before = Keys(logs.Store);
        Assert.Single(logs.Log.WithEvent(IndexedEvent));

        File.Move(logs.PathOf(string.Empty), logs.PathOf(".1"));
        Assert.Equal(before, Keys(logs.Store));

        // Compressed as rotation does it: same text, so the same key, and a complete index from the plain one.
        using (var input = File.OpenRead(logs.PathOf(".1")))
        using (var output = new System.IO.Compression.GZipStream(File.Create(logs.PathOf(".2.gz")), System.IO.Compression.CompressionLevel.Fastest))
        {
            input.CopyTo(output);
        }

        File.Delete(logs.PathOf(".1"));
        Assert.Equal(before, Keys(logs.Store));
        Assert.Single(logs.Log.WithEvent(IndexedEvent));
    }

    [Fact]
    public void ASavedIndexIsUsedByTheNextStoreAndARewrittenFileIsReindexed()
    {
        using var logs = StoredLogs.Create();
        logs.Write(".1", Enumerable.Range(0, 2000).Select(_ => logs.NextLine("a")));
        var first = Keys(logs.Store);
        Assert.NotEmpty(Directory.GetFiles(logs.Store.Directory, "*.idx"));

        var log = new CollectingLogger();
        var next = new IndexStore(logs.Options, TimeProvider.System, new TypedLogger<IndexStore>(log));
        Assert.Equal(first, Keys(next));
        Assert.Empty(log.WithEvent(IndexedEvent));

        // Same first bytes, another last line: the index no longer matches and is rebuilt from the text.
        var lines = File.ReadAllLines(logs.PathOf(".1"));
        File.WriteAllLines(logs.PathOf(".1"), lines.Take(lines.Length - 1).Append(lines[0]));
        var files = next.OpenAll();
        try
        {
            Assert.Single(log.WithEvent(MismatchEvent));
            Assert.Equal(new FileInfo(logs.PathOf(".1")).Length, Assert.Single(files).Length);
        }
        finally
        {
            files.ForEach(f => f.Dispose());
        }
    }

    [Fact]
    public void MessagesFilesNamesEveryRotatedFileNewestFirstAndLooksBeyondMaxFilesWhileTheyExist()
    {
        using var dir = TempDirectory.Create();
        var files = new MessagesFiles(dir.Combine("messages"), maxFiles: 2);
        Assert.Equal(
            [("messages", false), ("messages.1", false), ("messages.1.gz", true), ("messages.2", false), ("messages.2.gz", true)],
            files.NewestFirst().Select(f => (Path.GetFileName(f.Path), f.Compressed)));

        File.WriteAllText(dir.Combine("messages.3.gz"), "left by a larger MaxFiles");
        Assert.Equal(dir.Combine("messages.3.gz"), files.NewestFirst().Last().Path);
        Assert.Equal(dir.Combine("messages.1"), files.Previous);
    }

    private static List<FileKey> Keys(IndexStore store)
    {
        var files = store.OpenAll();
        files.ForEach(f => f.Dispose());
        return files.Select(f => f.Key).ToList();
    }
}
