using Forwarder.Discovery;

namespace Forwarder.Tests.Discovery;

public sealed class GlobPatternTests
{
    [Theory]
    [InlineData("/var/log/containers/*.log", "/var/log/containers/a_b_c-123.log", true)]
    [InlineData("/var/log/containers/*.log", "/var/log/containers/.log", true)]
    [InlineData("/var/log/containers/*.log", "/var/log/containers/sub/a.log", false)]
    [InlineData("/var/log/containers/*.log", "/var/log/containers/a.log.1", false)]
    [InlineData("/var/log/*/*.log", "/var/log/pods/a.log", true)]
    [InlineData("/var/log/*/*.log", "/var/log/a.log", false)]
    [InlineData("/a/*b*c", "/a/xxbyyc", true)]
    [InlineData("/a/*b*c", "/a/xxbyycd", false)]
    public void StarMatchesAnyRunOfCharactersWithinOneSegment(string pattern, string path, bool expected) =>
        Assert.Equal(expected, GlobPattern.Parse(pattern).IsMatch(path));

    [Theory]
    [InlineData("/logs/?.log", "/logs/a.log", true)]
    [InlineData("/logs/?.log", "/logs/ab.log", false)]
    [InlineData("/logs/?.log", "/logs/.log", false)]
    [InlineData("/logs/a?b", "/logs/a/b", false)]
    public void QuestionMarkMatchesExactlyOneCharacterButNotASlash(string pattern, string path, bool expected) =>
        Assert.Equal(expected, GlobPattern.Parse(pattern).IsMatch(path));

    [Theory]
    [InlineData("/logs/[abc].log", "/logs/b.log", true)]
    [InlineData("/logs/[abc].log", "/logs/d.log", false)]
    [InlineData("/logs/[a-c0-9].log", "/logs/7.log", true)]
    [InlineData("/logs/[a-c0-9].log", "/logs/x.log", false)]
    [InlineData("/logs/[!x].log", "/logs/y.log", true)]
    [InlineData("/logs/[!x].log", "/logs/x.log", false)]
    [InlineData("/logs/[^x].log", "/logs/x.log", false)]
    [InlineData("/logs/[]x].log", "/logs/].log", true)]
    [InlineData("/logs/[a-].log", "/logs/-.log", true)]
    public void ClassesMatchListedCharactersRangesAndNegations(string pattern, string path, bool expected) =>
        Assert.Equal(expected, GlobPattern.Parse(pattern).IsMatch(path));

    [Theory]
    [InlineData("/var/log/{containers,pods}/*.log", "/var/log/containers/a.log", true)]
    [InlineData("/var/log/{containers,pods}/*.log", "/var/log/pods/a.log", true)]
    [InlineData("/var/log/{containers,pods}/*.log", "/var/log/other/a.log", false)]
    [InlineData("/logs/*.{log,txt}", "/logs/a.txt", true)]
    [InlineData("/logs/a{,.1}", "/logs/a", true)]
    [InlineData("/logs/a{,.1}", "/logs/a.1", true)]
    [InlineData("/logs/{x,y{1,2}}.log", "/logs/y2.log", true)]
    [InlineData("/var/{log/containers,lib/x}/*.log", "/var/lib/x/a.log", true)]
    [InlineData("/var/{log/containers,lib/x}/*.log", "/var/log/x/a.log", false)]
    public void BracesMatchEachAlternativeIncludingNestedOnesAndOnesSpanningSlashes(string pattern, string path, bool expected) =>
        Assert.Equal(expected, GlobPattern.Parse(pattern).IsMatch(path));

    [Theory]
    [InlineData("/var/lib/gravity/site/a.log", true)]
    [InlineData("/var/lib/gravity/site/x/a.log", true)]
    [InlineData("/var/lib/gravity/site/x/y/z/a.log", true)]
    [InlineData("/var/lib/gravity/site/x/y/z/a.txt", false)]
    [InlineData("/var/lib/gravity/a.log", false)]
    [InlineData("/var/lib/gravity/sites/a.log", false)]
    public void DoubleStarMatchesZeroOrMoreDirectories(string path, bool expected) =>
        Assert.Equal(expected, GlobPattern.Parse("/var/lib/gravity/site/**/*.log").IsMatch(path));

    [Theory]
    [InlineData("/a/**/b/**/c.log", "/a/b/c.log", true)]
    [InlineData("/a/**/b/**/c.log", "/a/x/b/y/z/c.log", true)]
    [InlineData("/a/**/b/**/c.log", "/a/x/y/c.log", false)]
    [InlineData("/**/c.log", "/c.log", true)]
    [InlineData("/**/c.log", "/x/y/c.log", true)]
    public void SeveralDoubleStarsMatchIndependently(string pattern, string path, bool expected) =>
        Assert.Equal(expected, GlobPattern.Parse(pattern).IsMatch(path));

    [Theory]
    [InlineData("/var/log/pods/kube-syslog_x_1/c/0.log", true)]
    [InlineData("/var/log/pods/kube-syslog_x_1/0.log", true)]
    [InlineData("/var/log/pods/kube-syslog_x_1", false)]
    [InlineData("/var/log/pods/default_x_1/c/0.log", false)]
    public void ATrailingDoubleStarMatchesEverythingInsideButNotTheDirectoryItself(string path, bool expected) =>
        Assert.Equal(expected, GlobPattern.Parse("/var/log/pods/kube-syslog_*/**").IsMatch(path));

    [Theory]
    [InlineData("/var/log/containers/*.log", "/var/log/containers")]
    [InlineData("/var/lib/gravity/site/**/*.log", "/var/lib/gravity/site")]
    [InlineData("/var/log/containers/x.log", "/var/log/containers")]
    [InlineData("/var/log/{containers,pods/**}/*.log", "/var/log")]
    [InlineData("/var/log/co*/x/*.log", "/var/log")]
    [InlineData("/*.log", "/")]
    [InlineData("/var//log/*.log", "/var/log")]
    public void BaseDirectoryIsTheLongestDirectoryPrefixWithoutWildcards(string pattern, string expected) =>
        Assert.Equal(expected, GlobPattern.Parse(pattern).BaseDirectory);

    [Theory]
    [InlineData("/var/log/containers/*.log", false, true)]
    [InlineData("/var/log/*/*.log", false, false)]
    [InlineData("/var/log/**/*.log", true, false)]
    [InlineData("/var/log/{a,b/**}/*.log", true, false)]
    public void IsRecursiveOnlyWithDoubleStarButFixedDepthPatternsReachBelowTheBaseToo(string pattern, bool recursive, bool onlyInBase)
    {
        var glob = GlobPattern.Parse(pattern);
        Assert.Equal(recursive, glob.IsRecursive);
        Assert.Equal(onlyInBase, glob.MatchesOnlyInBaseDirectory);
    }

    [Theory]
    [InlineData("/var/log/containers/*.log", "/var", true)]
    [InlineData("/var/log/containers/*.log", "/var/log/containers", true)]
    [InlineData("/var/log/containers/*.log", "/var/log/containers/sub", false)]
    [InlineData("/var/log/containers/*.log", "/var/log/pods", false)]
    [InlineData("/var/lib/gravity/site/**/*.log", "/var/lib/gravity/site/a/b/c", true)]
    [InlineData("/var/lib/gravity/site/**/*.log", "/var/lib/docker", false)]
    [InlineData("/var/log/*/x/*.log", "/var/log/pods/x", true)]
    [InlineData("/var/log/*/x/*.log", "/var/log/pods/y", false)]
    public void CouldMatchBelowPrunesDirectoriesThatCannotHoldMatches(string pattern, string directory, bool expected) =>
        Assert.Equal(expected, GlobPattern.Parse(pattern).CouldMatchBelow(directory));

    [Fact]
    public void RelativePathsNeverMatch()
    {
        var glob = GlobPattern.Parse("/**/*.log");
        Assert.False(glob.IsMatch("a.log"));
        Assert.False(glob.CouldMatchBelow("var/log"));
    }
}
