using Forwarder.Discovery;

namespace Forwarder.Tests.Discovery;

public sealed class GlobPatternParseTests
{
    [Theory]
    [InlineData("", "is empty")]
    [InlineData("   ", "is empty")]
    [InlineData("var/log/*.log", "is relative")]
    [InlineData("*.log", "is relative")]
    [InlineData("/var/log/", "ends with '/'")]
    [InlineData("/var/log/[ab.log", "unclosed '['")]
    [InlineData("/var/log/[a/b].log", "unclosed '['")]
    [InlineData("/var/log/{a,b.log", "unclosed '{' at position 9")]
    [InlineData("/var/log/a}.log", "'}' without a matching '{' at position 10")]
    [InlineData("/var/log/a**b/*.log", "'**' inside the segment 'a**b'")]
    [InlineData("/var/log/***", "'**' inside the segment '***'")]
    [InlineData("/var/log/../x.log", "'..' segment")]
    [InlineData("/{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}{o,p}{q,r}/x", "more than 256 alternatives")]
    public void BadPatternsAreRejectedWithAMessageNamingThePatternAndTheProblem(string pattern, string problem)
    {
        var e = Assert.Throws<ArgumentException>(() => GlobPattern.Parse(pattern));
        Assert.Contains($"'{pattern}'", e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.Equal("pattern", e.ParamName);
    }

    [Fact]
    public void PatternsWithTooManySegmentsAreRejected()
    {
        string pattern = string.Concat(Enumerable.Repeat("/d", 64)) + "/*.log";
        var e = Assert.Throws<ArgumentException>(() => GlobPattern.Parse(pattern));
        Assert.Contains("more than 63 segments", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ThePatternIsKeptAsWritten() =>
        Assert.Equal("/var//log/*.log", GlobPattern.Parse("/var//log/*.log").Pattern);
}
