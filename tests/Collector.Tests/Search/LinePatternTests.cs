using System.Text;
using Collector.Search;

namespace Collector.Tests.Search;

/// <summary>
/// Pattern line filters <c>|&gt;</c> / <c>!&gt;</c> with Loki's matcher (pkg/logql/log/pattern, Matcher.Test and
/// its tests): literals in order, <c>&lt;_&gt;</c> taking at least one character, the end anchored to the last part.
/// </summary>
public sealed class LinePatternTests
{
    [Theory]
    [InlineData("<_> caller=http.go:194 level=debug <_>", "ts=1 caller=http.go:194 level=debug msg=x", true)]
    [InlineData("<_> caller=http.go:194 level=debug <_>", "ts=1 caller=http.go:194 level=info msg=x", false)]
    [InlineData("<_> bar", "foo bar baz", false)]
    [InlineData("<_> baz", "foo bar baz", true)]
    [InlineData("foo <_>", "foo bar baz", true)]
    [InlineData("<_> bar <_>", " bar ", false)]
    [InlineData("<_>bar<_>", " bar ", true)]
    [InlineData("<_>", "anything", true)]
    [InlineData("<_>", "", false)]
    [InlineData("", "", true)]
    [InlineData("", "x", false)]
    [InlineData("GET <_> 200", "GET /index 200", true)]
    [InlineData("GET <_> 200", "GET /index 2000", false)]
    [InlineData("<_> ünïcode <_>", "a ünïcode b", true)]
    public void MatchesAsLokisLinePatternFilter(string pattern, string line, bool matches)
    {
        var linePattern = LinePattern.Create(pattern, out string? error);
        Assert.Null(error);
        Assert.Equal(matches, linePattern!.Test(line));
        Assert.Equal(matches, linePattern.Test(Encoding.UTF8.GetBytes(line)));
    }

    [Theory]
    [InlineData("<name> x", "named captures are not allowed: found '<name>'")]
    [InlineData("a <_><_> b", "found consecutive capture '<_><_>': invalid expression")]
    public void RefusesNamedAndConsecutiveCaptures(string pattern, string error)
    {
        Assert.Null(LinePattern.Create(pattern, out string? actual));
        Assert.Equal(error, actual);
    }

    [Theory]
    [InlineData("{app=\"x\"} |> \"<_> GET <_>\"", "a GET b", true)]
    [InlineData("{app=\"x\"} |> \"<_> GET <_>\"", "a POST b", false)]
    [InlineData("{app=\"x\"} !> \"<_> GET <_>\"", "a POST b", true)]
    [InlineData("{app=\"x\"} |> \"<_> GET <_>\" or \"<_> POST <_>\"", "a POST b", true)]
    [InlineData("{app=\"x\"} !> \"<_> GET <_>\" or \"<_> POST <_>\"", "a POST b", false)]
    [InlineData("{app=\"x\"} !> \"<_> GET <_>\" or \"<_> POST <_>\"", "a PUT b", true)]
    public void PatternFiltersParseWithOrAndTestTheLine(string query, string line, bool matches)
    {
        var filters = QueryParser.Parse(query).Terms[0].Filters;
        Assert.Equal(matches, filters.All(f => f.Matches(Encoding.UTF8.GetBytes(line)) && f.Matches(line)));
    }

    [Fact]
    public void APatternFilterAfterAStageTestsTheLineThatStageLeft()
    {
        var parsed = QueryParser.Parse("{app=\"x\"} | logfmt | line_format \"{{.msg}}\" |> \"GET <_>\"");
        Assert.NotNull(parsed.Pipeline!.Run(0, "msg=\"GET /a\"", []));
        Assert.Null(parsed.Pipeline!.Run(0, "msg=\"POST /a\"", []));
    }
}
