using System.Diagnostics;
using System.Net.Sockets;
using Forwarder.Discovery;
using Microsoft.Extensions.Logging;
using TestSupport;

namespace Forwarder.Tests.Discovery;

/// <summary>
/// What a node's log tree does that a scan must survive: links to nothing, loops, files that are not files.
/// </summary>
public sealed class FileScannerTroubleTests
{
    [Fact]
    public void DanglingAndLoopingLinksAreSkippedWithoutThrowingAndLoggedOnceAtDebug()
    {
        using var dir = TempDirectory.Create();
        var node = new NodeLayout(dir);
        var web = node.AddDocker("shop", "web-1");
        var gone = node.AddDocker("shop", "gone-1");
        File.Delete(gone.RealFile);
        File.CreateSymbolicLink(Path.Combine(node.Containers, "dangling.log"), Path.Combine(node.Containers, "nowhere.log"));
        File.CreateSymbolicLink(Path.Combine(node.Containers, "self.log"), Path.Combine(node.Containers, "self.log"));
        File.CreateSymbolicLink(Path.Combine(node.Containers, "ping.log"), Path.Combine(node.Containers, "pong.log"));
        File.CreateSymbolicLink(Path.Combine(node.Containers, "pong.log"), Path.Combine(node.Containers, "ping.log"));
        var logger = new CollectingLogger();
        var scanner = FileScannerTests.Scanner([node.DefaultInclude], logger: logger);

        var first = scanner.Scan();
        var second = scanner.Scan();

        Assert.Equal([web.Link], first.Select(f => f.Path));
        Assert.Equal([web.Link], second.Select(f => f.Path));
        var skipped = logger.WithEvent(104);
        Assert.Equal(5, skipped.Count);
        Assert.All(skipped, e => Assert.Equal(LogLevel.Debug, e.Level));
        Assert.Contains(skipped, e => e.Message.Contains("gone-1", StringComparison.Ordinal)
            && e.Message.Contains("dangling", StringComparison.Ordinal));
        Assert.Contains(skipped, e => e.Message.Contains("self.log", StringComparison.Ordinal)
            && e.Message.Contains("loop", StringComparison.Ordinal));
    }

    [Fact]
    public void AFileReplacedByADirectoryIsNoLongerReported()
    {
        using var dir = TempDirectory.Create();
        var node = new NodeLayout(dir);
        var web = node.AddDocker("shop", "web-1");
        var scanner = FileScannerTests.Scanner([node.DefaultInclude]);
        Assert.Single(scanner.Scan());

        File.Delete(web.RealFile);
        Directory.CreateDirectory(web.RealFile);

        Assert.Empty(scanner.Scan());
    }

    [Fact]
    public void FifosSocketsAndLinksToDirectoriesAreNotReported()
    {
        using var dir = TempDirectory.Create();
        using (var mkfifo = Process.Start("mkfifo", [dir.Combine("fifo.log")]))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        File.CreateSymbolicLink(dir.Combine("link-to-fifo.log"), dir.Combine("fifo.log"));
        string socketPath = dir.Combine("s.log");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        File.CreateSymbolicLink(dir.Combine("link-to-socket.log"), socketPath);
        Directory.CreateDirectory(dir.Combine("d"));
        File.CreateSymbolicLink(dir.Combine("link-to-dir.log"), dir.Combine("d"));
        File.WriteAllText(dir.Combine("real.log"), "x\n");

        var found = FileScannerTests.Scanner([dir.Path + "/*.log"]).Scan();

        Assert.Equal([dir.Combine("real.log")], found.Select(f => f.Path));
    }

    [Fact]
    public void DirectoryLinksAreFollowedButALoopIsWalkedOnce()
    {
        using var dir = TempDirectory.Create();
        Directory.CreateDirectory(dir.Combine("site/a"));
        File.WriteAllText(dir.Combine("site/a/x.log"), "x\n");
        Directory.CreateDirectory(dir.Combine("elsewhere"));
        File.WriteAllText(dir.Combine("elsewhere/y.log"), "y\n");
        Directory.CreateSymbolicLink(dir.Combine("site/a/up"), dir.Combine("site"));
        Directory.CreateSymbolicLink(dir.Combine("site/linked"), dir.Combine("elsewhere"));

        var logger = new CollectingLogger();
        var scanner = FileScannerTests.Scanner([dir.Path + "/site/**/*.log"], logger: logger);

        Assert.Equal([dir.Combine("site/a/x.log"), dir.Combine("site/linked/y.log")], scanner.Scan().Select(f => f.Path));
        Assert.Equal(2, scanner.Scan().Count);
        Assert.Equal(dir.Combine("site/a/up"), Assert.Single(logger.WithEvent(105)).Values["Directory"]);
    }

    [Fact]
    public void AnUnreadableDirectoryIsLoggedOnceUntilItCanBeReadAgainAndTheOthersAreStillScanned()
    {
        // Tests run as root, and root reads a chmod 000 directory: the failure is injected where the directory is read.
        using var dir = TempDirectory.Create();
        foreach (string name in new[] { "a/1.log", "b/2.log" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(dir.Combine(name))!);
            File.WriteAllText(dir.Combine(name), "x\n");
        }

        bool broken = true;
        var logger = new CollectingLogger();
        var scanner = new FileScanner([GlobPattern.Parse(dir.Path + "/*/*.log")], [], null, logger, directory =>
            broken && directory == dir.Combine("a")
                ? throw new UnauthorizedAccessException($"Access to the path '{directory}' is denied.")
                : FileScanner.ReadDirectory(directory));

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal([dir.Combine("b/2.log")], scanner.Scan().Select(f => f.Path));
        }

        broken = false;
        Assert.Equal(2, scanner.Scan().Count);
        broken = true;
        scanner.Scan();
        scanner.Scan();

        var warnings = logger.WithEvent(101);
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, w => Assert.Equal(LogLevel.Warning, w.Level));
        Assert.Equal(dir.Combine("a"), warnings[0].Values["Directory"]);
        Assert.Single(logger.WithEvent(102));
    }

    [Fact]
    public void ABaseDirectoryThatIsAFileIsLoggedOnceAndFindsNothing()
    {
        using var dir = TempDirectory.Create();
        File.WriteAllText(dir.Combine("logs"), "not a directory\n");
        var logger = new CollectingLogger();
        var scanner = FileScannerTests.Scanner([dir.Path + "/logs/*.log"], logger: logger);

        Assert.Empty(scanner.Scan());
        Assert.Empty(scanner.Scan());

        Assert.Single(logger.WithEvent(103));
    }

    [Fact]
    public void ALinkRetargetedBetweenScansIsFollowedToItsNewFile()
    {
        using var dir = TempDirectory.Create();
        var node = new NodeLayout(dir);
        var web = node.AddDocker("shop", "web-1");
        var api = node.AddDocker("shop", "api-1");
        var scanner = FileScannerTests.Scanner([node.DefaultInclude]);
        Assert.Equal([api.Link, web.Link], scanner.Scan().Select(f => f.Path));

        File.Delete(web.Link);
        File.CreateSymbolicLink(web.Link, dir.Path + "/elsewhere.log");
        File.WriteAllText(dir.Path + "/elsewhere.log", "moved\n");
        File.Delete(api.RealFile);
        File.WriteAllText(api.RealFile, "replaced\n");
        var found = scanner.Scan();

        Assert.Equal([web.Link, dir.Path + "/elsewhere.log"], found.Single(f => f.Path == web.Link).Chain);
        var replaced = found.Single(f => f.Path == api.Link);
        Assert.True(Forwarder.Tailing.FileStatus.TryGet(api.RealFile, out var now, out _));
        Assert.True(replaced.Status.IsSameFileAs(now));
        Assert.Equal(9, replaced.Status.Size);
    }
}
