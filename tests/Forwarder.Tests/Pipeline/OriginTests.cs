using System.Text;
using TestSupport;
using static Forwarder.Tests.Pipeline.RotationTests;

namespace Forwarder.Tests.Pipeline;

/// <summary>
/// The origin element on every message (docs/sources.md): which file, and exactly which of its bytes.
/// </summary>
public sealed class OriginTests
{
    [Fact]
    public async Task EveryMessageAccountsForTheBytesSinceThePreviousOneEvenWhenFragmentsInterleave()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("default", "api-0", "api", RuntimeFormat.Cri);
        string[] lines =
        [
            $"{ContainerLog.TimeOf(0)} stdout F a",
            $"{ContainerLog.TimeOf(1)} stderr P e1-",
            $"{ContainerLog.TimeOf(2)} stdout F b",
            $"{ContainerLog.TimeOf(3)} stderr F e2",
            $"{ContainerLog.TimeOf(4)} stdout F c",
        ];
        var ends = new List<long>();
        long end = 0;
        foreach (string line in lines)
        {
            end += Encoding.UTF8.GetByteCount(line) + 1;
            ends.Add(end);
        }

        await using var target = SyslogTestListener.Start();
        await using var forwarder = await StartAsync(dir, tree, target.TcpPort);
        File.AppendAllText(log.RealPath, string.Concat(lines.Select(l => l + "\n")));

        var messages = (await target.WaitForFramesAsync(4, TimeSpan.FromSeconds(30))).Select(f => ReceivedMessage.Parse(f.Payload)).ToList();

        // The stderr entry is sent when its last fragment is read: it accounts for "b"'s line too, which came before.
        Assert.Equal(["a", "b", "e1-e2", "c"], messages.Select(m => m.Text));
        Assert.Equal(
            [$"0-{ends[0]}", $"{ends[0]}-{ends[2]}", $"{ends[2]}-{ends[3]}", $"{ends[3]}-{ends[4]}"],
            messages.Select(m => m.Param("o@32473", "p")));
        string? source = messages[0].Param("o@32473", "s");
        Assert.Matches("^[0-9a-f]{16}$", source);
        Assert.All(messages, m => Assert.Equal(source, m.Param("o@32473", "s")));
        Assert.Equal(log.LinkPath, messages[0].Param("o@32473", "f"));
        Assert.All(messages.Skip(1), m => Assert.Null(m.Param("o@32473", "f")));
    }

    [Fact]
    public async Task ATruncatedFileIsANewSourceCountedFromZero()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("default", "api-0", "api", RuntimeFormat.Cri);
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await StartAsync(dir, tree, target.TcpPort);
        log.AppendMany(Lines("old", 3));
        await target.WaitForFramesAsync(3, TimeSpan.FromSeconds(30));

        log.CopyTruncate();
        log.AppendMany(Lines("new", 2));
        var messages = (await target.WaitForFramesAsync(5, TimeSpan.FromSeconds(30))).Select(f => ReceivedMessage.Parse(f.Payload)).ToList();

        Assert.Equal([.. Lines("old", 3), .. Lines("new", 2)], messages.Select(m => m.Text));
        Assert.NotEqual(messages[0].Param("o@32473", "s"), messages[3].Param("o@32473", "s"));
        Assert.Equal(messages[3].Param("o@32473", "s"), messages[4].Param("o@32473", "s"));
        Assert.StartsWith("0-", messages[3].Param("o@32473", "p"), StringComparison.Ordinal);
        Assert.NotNull(messages[3].Param("o@32473", "f"));
    }

    [Fact]
    public async Task AfterARestartTheSameSourceGoesOnFromTheCheckpoint()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("default", "api-0", "api", RuntimeFormat.Docker);
        await using var target = SyslogTestListener.Start();
        await using (var first = await StartAsync(dir, tree, target.TcpPort))
        {
            log.AppendMany(Lines("a", 5));
            await target.WaitForFramesAsync(5, TimeSpan.FromSeconds(30));
        }

        long checkpoint = new FileInfo(log.RealPath).Length;
        log.AppendMany(Lines("b", 1));
        long end = new FileInfo(log.RealPath).Length;
        await using var second = await StartAsync(dir, tree, target.TcpPort);
        var messages = (await target.WaitForFramesAsync(6, TimeSpan.FromSeconds(30))).Select(f => ReceivedMessage.Parse(f.Payload)).ToList();

        Assert.Equal([.. Lines("a", 5), .. Lines("b", 1)], messages.Select(m => m.Text));
        Assert.Equal($"{checkpoint}-{end}", messages[5].Param("o@32473", "p"));
        Assert.Equal(messages[0].Param("o@32473", "s"), messages[5].Param("o@32473", "s"));
        Assert.NotNull(messages[5].Param("o@32473", "f"));
    }

    [Fact]
    public async Task AFileDeletedBeforeItWasReadToItsEndIsReportedOnTheNextFilesFirstMessage()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("default", "api-0", "api", RuntimeFormat.Cri);
        await using var target = SyslogTestListener.Start();
        await using (var first = await StartAsync(dir, tree, target.TcpPort))
        {
            log.AppendMany(Lines("a", 5));
            await target.WaitForFramesAsync(5, TimeSpan.FromSeconds(30));
        }

        // While it is down the file gets more lines, is rotated and deleted (kubelet compresses it first).
        long checkpoint = new FileInfo(log.RealPath).Length;
        log.AppendMany(Lines("b", 3));
        File.Delete(log.RotateLikeKubelet("20261122-100000"));
        log.AppendMany(Lines("c", 2));
        await using var second = await StartAsync(dir, tree, target.TcpPort);
        var messages = (await target.WaitForQuietAsync(7, TimeSpan.FromSeconds(30))).Select(f => ReceivedMessage.Parse(f.Payload)).ToList();

        Assert.Equal([.. Lines("a", 5), .. Lines("c", 2)], messages.Select(m => m.Text));
        string? deleted = messages[0].Param("o@32473", "s");
        Assert.NotEqual(deleted, messages[5].Param("o@32473", "s"));
        Assert.Equal($"{deleted}@{checkpoint}", messages[5].Param("o@32473", "lost"));
        Assert.Null(messages[6].Param("o@32473", "lost"));
        Assert.All(messages.Take(5), m => Assert.Null(m.Param("o@32473", "lost")));
    }
}
