using Forwarder.Discovery;
using Forwarder.Tailing;
using Microsoft.Extensions.Logging;
using TestSupport;

namespace Forwarder.Tests.Discovery;

public sealed class FileScannerTests
{
    [Fact]
    public void TheDefaultIncludeFindsContainerLinksAndFollowsTheirChainsToTheDockerFile()
    {
        using var dir = TempDirectory.Create();
        var node = new NodeLayout(dir);
        var web = node.AddDocker("shop", "web-1");
        var api = node.AddDocker("shop", "api-1");

        var found = Scan([node.DefaultInclude]);

        Assert.Equal([api.Link, web.Link], found.Select(f => f.Path));
        var file = found.Single(f => f.Path == web.Link);
        Assert.Equal([web.Link, web.PodLog, web.RealFile], file.Chain);
        Assert.Equal(web.RealFile, file.RealPath);
        Assert.True(FileStatus.TryGet(web.RealFile, out var real, out _));
        Assert.True(file.Status.IsSameFileAs(real));
        Assert.Equal(new FileInfo(web.RealFile).Length, file.Status.Size);
    }

    [Fact]
    public void ACriPodLogEndsTheChainAtThePodsFile()
    {
        using var dir = TempDirectory.Create();
        var node = new NodeLayout(dir);
        var cri = node.AddCri("shop", "web-1");

        var file = Assert.Single(Scan([node.DefaultInclude]));

        Assert.Equal([cri.Link, cri.PodLog], file.Chain);
    }

    [Fact]
    public void RelativeLinkTargetsAreResolvedAgainstTheLinksDirectory()
    {
        using var dir = TempDirectory.Create();
        Directory.CreateDirectory(dir.Combine("logs"));
        Directory.CreateDirectory(dir.Combine("data"));
        File.WriteAllText(dir.Combine("data", "real.log"), "x\n");
        File.CreateSymbolicLink(dir.Combine("logs", "a.log"), "../data/real.log");

        var file = Assert.Single(Scan([dir.Combine("logs", "*.log")]));

        Assert.Equal([dir.Combine("logs", "a.log"), dir.Combine("data", "real.log")], file.Chain);
    }

    [Fact]
    public void DoubleStarFindsFilesAtDepthZeroOneAndThree()
    {
        using var dir = TempDirectory.Create();
        string site = dir.Combine("var/lib/gravity/site");
        string[] expected = [Path.Combine(site, "a.log"), Path.Combine(site, "x/b.log"), Path.Combine(site, "x/y/z/c.log")];
        foreach (string path in expected)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, "x\n");
        }

        File.WriteAllText(Path.Combine(site, "x/y/not-a-log.txt"), "x\n");
        Directory.CreateDirectory(Path.Combine(site, "dir.log"));

        var found = Scan([site + "/**/*.log"]);

        Assert.Equal(expected, found.Select(f => f.Path));
    }

    [Fact]
    public void BracesClassesAndQuestionMarksSelectFiles()
    {
        using var dir = TempDirectory.Create();
        foreach (string name in new[] { "a/1.log", "b/2.log", "c/3.log", "a/x.log", "b/10.log" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(dir.Combine(name))!);
            File.WriteAllText(dir.Combine(name), "x\n");
        }

        var found = Scan([dir.Path + "/{a,b}/[0-9]?.log", dir.Path + "/{a,b,c}/[!0-2].log"]);

        Assert.Equal([dir.Combine("b/10.log"), dir.Combine("a/x.log"), dir.Combine("c/3.log")], found.Select(f => f.Path));
    }

    [Fact]
    public void AnExcludeOnThePodsPathExcludesTheContainersLinkPointingThere()
    {
        using var dir = TempDirectory.Create();
        var node = new NodeLayout(dir);
        var own = node.AddDocker("kube-syslog", "forwarder-x");
        var app = node.AddDocker("shop", "web-1");

        var found = Scan([node.DefaultInclude], exclude: [node.Pods + "/kube-syslog_*/**"]);

        Assert.Equal([app.Link], found.Select(f => f.Path));
        Assert.DoesNotContain(found, f => f.Path == own.Link);
    }

    [Fact]
    public void AnExcludeOnTheRealFileExcludesEveryPathToIt()
    {
        using var dir = TempDirectory.Create();
        var node = new NodeLayout(dir);
        node.AddDocker("shop", "web-1");

        var found = Scan([node.DefaultInclude, node.Pods + "/**/*.log"], exclude: [dir.Path + "/var/lib/docker/**"]);

        Assert.Empty(found);
    }

    [Fact]
    public void ThePredicateExcludesFilesItReturnsTrueFor()
    {
        using var dir = TempDirectory.Create();
        var node = new NodeLayout(dir);
        node.AddDocker("kube-system", "coredns-1");
        var app = node.AddDocker("shop", "web-1");
        var seen = new List<string>();

        var found = Scan([node.DefaultInclude], isExcluded: f =>
        {
            seen.Add(f.Path);
            return Path.GetFileName(f.Path).Contains("_kube-system_", StringComparison.Ordinal);
        });

        Assert.Equal([app.Link], found.Select(f => f.Path));
        Assert.Equal(2, seen.Count);
    }

    [Fact]
    public void AFileReachedThroughTwoIncludesIsReportedOnceThroughTheFirstInclude()
    {
        using var dir = TempDirectory.Create();
        var node = new NodeLayout(dir);
        var web = node.AddDocker("shop", "web-1");

        var containersFirst = Scan([node.DefaultInclude, node.Pods + "/**/*.log"]);
        var podsFirst = Scan([node.Pods + "/**/*.log", node.DefaultInclude]);

        Assert.Equal(web.Link, Assert.Single(containersFirst).Path);
        Assert.Equal(web.PodLog, Assert.Single(podsFirst).Path);
    }

    [Fact]
    public void AFileReachedThroughTwoPathsOfOneIncludeIsReportedOnceThroughTheOrdinallyFirstPath()
    {
        using var dir = TempDirectory.Create();
        File.WriteAllText(dir.Combine("b.log"), "x\n");
        File.CreateSymbolicLink(dir.Combine("c.log"), dir.Combine("b.log"));
        File.CreateSymbolicLink(dir.Combine("a.log"), dir.Combine("c.log"));

        var file = Assert.Single(Scan([dir.Path + "/*.log"]));

        Assert.Equal(dir.Combine("a.log"), file.Path);
        Assert.Equal([dir.Combine("a.log"), dir.Combine("c.log"), dir.Combine("b.log")], file.Chain);
    }

    [Fact]
    public void ABaseDirectoryThatAppearsLaterIsScannedOnceItExistsAndIsLoggedOnceWhileMissing()
    {
        using var dir = TempDirectory.Create();
        var node = new NodeLayout(dir);
        var logger = new CollectingLogger();
        var scanner = Scanner([node.DefaultInclude], logger: logger);

        Assert.Empty(scanner.Scan());
        Assert.Empty(scanner.Scan());
        var web = node.AddDocker("shop", "web-1");
        var found = scanner.Scan();

        Assert.Equal([web.Link], found.Select(f => f.Path));
        var missing = Assert.Single(logger.WithEvent(103));
        Assert.Equal(LogLevel.Information, missing.Level);
        Assert.Equal(node.Containers, missing.Values["Directory"]);
    }

    private static IReadOnlyList<DiscoveredFile> Scan(string[] include, string[]? exclude = null, Func<DiscoveredFile, bool>? isExcluded = null) =>
        Scanner(include, exclude, isExcluded).Scan();

    internal static FileScanner Scanner(
        string[] include,
        string[]? exclude = null,
        Func<DiscoveredFile, bool>? isExcluded = null,
        ILogger? logger = null) =>
        new(
            include.Select(GlobPattern.Parse).ToList(),
            (exclude ?? []).Select(GlobPattern.Parse).ToList(),
            isExcluded,
            logger ?? new CollectingLogger());
}
