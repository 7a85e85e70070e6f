using Forwarder.Tailing;
using TestSupport;

namespace Forwarder.Tests.Tailing;

public sealed class CheckpointStoreTests
{
    [Fact]
    public void WithNoFileTheStartIsTheVeryFirstOne()
    {
        using var dir = TempDirectory.Create();
        var store = new CheckpointStore(dir.Path, new CollectingLogger());
        Assert.Null(store.Load());
    }

    [Fact]
    public void SavedCheckpointsLoadBackExactly()
    {
        using var dir = TempDirectory.Create();
        var store = new CheckpointStore(dir.Combine("state"), new CollectingLogger());
        store.EnsureWritable();
        Checkpoint[] saved =
        [
            new(2049, 131, 256, 0xDEADBEEFCAFEF00D, 1_234_567_890_123, "/var/log/containers/a_b_c-1.log", "/var/log/pods/b_a_u/c/0.log"),
            new(2049, 132, 17, 42, 0, "/x \"quoted\".log", "/x.log", DoneAt: 1_790_000_000),
        ];

        store.Save(saved);

        Assert.Equal(saved, store.Load());
        Assert.False(File.Exists(store.FilePath + ".tmp"));
    }

    [Fact]
    public void ASaveReplacesThePreviousCheckpointsWhole()
    {
        using var dir = TempDirectory.Create();
        var store = new CheckpointStore(dir.Path, new CollectingLogger());
        store.Save([new(1, 1, 0, 0, 10, "/a", "/a")]);
        store.Save([new(1, 2, 0, 0, 20, "/b", "/b")]);
        Assert.Equal(20, Assert.Single(store.Load()!).Offset);
    }

    [Fact]
    public void ManyCheckpointsAreWrittenAsTheSerializerWritesTheWholeDocument()
    {
        // Written one checkpoint at a time, flushed as it goes: byte for byte what the source-generated serializer
        // writes for the whole document (which Load reads), with every optional field set and unset.
        var checkpoints = Enumerable.Range(0, 1200)
            .Select(i => new Checkpoint(
                2049,
                (ulong)i,
                i % 257,
                (ulong)i * 0x9E3779B97F4A7C15,
                i * 1000L,
                $"/var/log/containers/pod-{i}_churn_main-{i:x64}.log",
                $"/var/log/pods/churn_pod-{i}_u/main/{i % 3}.log",
                DoneAt: i % 2 == 0 ? 1_790_000_000 + i : null,
                Since: i % 3 == 0 ? null : 1_790_000_000_000 + i,
                Source: i % 5 == 0 ? null : $"s{i} \"quoted\""))
            .ToArray();
        using var written = new MemoryStream();

        CheckpointStore.Write(written, checkpoints);

        byte[] whole = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(
            new CheckpointFile(CheckpointFile.CurrentVersion, checkpoints),
            CheckpointJsonContext.Default.CheckpointFile);
        Assert.True(whole.Length > 256 * 1024, $"{whole.Length} bytes: not enough to flush many times");
        Assert.Equal(System.Text.Encoding.UTF8.GetString(whole), System.Text.Encoding.UTF8.GetString(written.ToArray()));
    }

    [Fact]
    public void NoCheckpointsAreWrittenAsAnEmptyList()
    {
        using var dir = TempDirectory.Create();
        var store = new CheckpointStore(dir.Path, new CollectingLogger());
        store.Save([]);
        Assert.Empty(store.Load()!);
        Assert.Equal(
            System.Text.Encoding.UTF8.GetString(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(
                new CheckpointFile(CheckpointFile.CurrentVersion, []),
                CheckpointJsonContext.Default.CheckpointFile)),
            File.ReadAllText(store.FilePath));
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("{\"version\": 99, \"files\": []}")]
    [InlineData("")]
    public void ACorruptFileIsReportedAndTreatedAsNoCheckpointsButNotAsAFirstStart(string content)
    {
        using var dir = TempDirectory.Create();
        var logger = new CollectingLogger();
        var store = new CheckpointStore(dir.Path, logger);
        File.WriteAllText(store.FilePath, content);

        var loaded = store.Load();

        Assert.NotNull(loaded);
        Assert.Empty(loaded);
        Assert.Single(logger.WithEvent(406));
    }

    [Fact]
    public void AStateDirectoryThatCannotBeCreatedIsAnError()
    {
        using var dir = TempDirectory.Create();
        string file = dir.Combine("file");
        File.WriteAllText(file, "x");
        var store = new CheckpointStore(Path.Combine(file, "state"), new CollectingLogger());
        Assert.ThrowsAny<IOException>(store.EnsureWritable);
    }
}
