using Collector.Configuration;
using Collector.Storage.Index;
using TestSupport;

namespace Collector.Tests.Storage;

public sealed class IndexDamageLogTests
{
    /// <summary>
    /// The warning about a damaged index names the file it is rebuilt from, not always the current one.
    /// </summary>
    [Fact]
    public void ADamagedIndexOfARotatedFileIsReportedWithThatFilesPath()
    {
        using var dir = TempDirectory.Create();
        var options = new CollectorOptions { File = dir.Combine("messages") };
        File.WriteAllLines(
            dir.Combine("messages.1"),
            Enumerable.Range(0, 200).Select(
                i => $"2026-11-23T09:00:{i % 60:00}.000000Z node-1 app: user.info - rotated line {i}"));
        File.WriteAllLines(dir.Combine("messages"), ["2026-11-23T09:01:00.000000Z node-1 app: user.info - current line"]);

        var first = new IndexStore(options, TimeProvider.System, new TypedLogger<IndexStore>(new CollectingLogger()));
        first.OpenAll().ForEach(f => f.Dispose());
        string[] saved = Directory.GetFiles(first.Directory, "*.idx");
        Assert.NotEmpty(saved);
        foreach (string file in saved)
        {
            var bytes = File.ReadAllBytes(file);
            bytes[bytes.Length / 2] ^= 0x5a;
            File.WriteAllBytes(file, bytes);
        }

        var log = new CollectingLogger();
        new IndexStore(options, TimeProvider.System, new TypedLogger<IndexStore>(log)).OpenAll().ForEach(f => f.Dispose());

        var damaged = log.WithEvent(501);
        Assert.Contains(damaged, e => e.Message.EndsWith(dir.Combine("messages.1"), StringComparison.Ordinal));
    }
}
