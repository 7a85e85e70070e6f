using Collector.Search;
using Collector.Search.Pipeline;

namespace Collector.Tests.Search.Pipeline;

/// <summary>
/// What the pipeline parser accepts (queries from Loki's docs/sources/query/log_queries) and how it refuses the rest:
/// an error that names the stage, at the character where it went wrong.
/// </summary>
public sealed class PipelineParserTests
{
    [Theory]
    [InlineData("{app=\"x\"} |= \"a\" or \"b\" | json")]
    [InlineData("{container=\"frontend\"} | logfmt | __error__=\"\" | duration > 1m and bytes_consumed > 20MB")]
    [InlineData("{app=\"x\"} | logfmt --strict --keep-empty")]
    [InlineData("{app=\"x\"} | logfmt --strict host, fake_host=\"host\"")]
    [InlineData("{app=\"x\"} | json first_server=\"servers[0]\", ua=\"request.headers[\\\"User-Agent\\\"]\"")]
    [InlineData("{app=\"x\"} | json | (duration > 1s or status == 500) and method !~ \"GET|HEAD\"")]
    [InlineData("{app=\"x\"} | regexp \"(?P<method>\\\\w+) (?P<path>[\\\\w|/]+) \\\\((?P<status>\\\\d+?)\\\\)\"")]
    [InlineData("{app=\"x\"} | pattern \"<_> - <user> <_>\" | line_format \"{{.user}}\"")]
    [InlineData("{app=\"x\"} | unpack | line_format `{{ .a | ToUpper | trunc 5 }}` | label_format dst=src, t=\"{{.x}}\"")]
    [InlineData("{app=\"x\"} | json | drop level, method=\"GET\" | keep pod, status=~\"5..\" | decolorize")]
    [InlineData("{app=\"x\"} | json | size >= 1.5KiB | latency < 250ms | count != -1")]
    [InlineData("{level=\"error\"} | json")]
    public void AcceptsLokisPipelineStages(string query)
    {
        var parsed = QueryParser.Parse(query);
        Assert.NotNull(parsed.Pipeline);
        Assert.NotEmpty(parsed.Pipeline!.Stages);
    }

    [Fact]
    public void LeadingLineFiltersStayOnTheTermForTheIndexAndTheLiteralScan()
    {
        var parsed = QueryParser.Parse("{app=\"x\"} |= \"needle\" |~ \"a|b\" | json |= \"after\"");
        Assert.Equal(["needle", "a|b"], parsed.Terms[0].Filters.Select(f => f.Text));
        Assert.Equal("needle"u8.ToArray(), parsed.RequiredLiteral());
        Assert.IsType<LineFilterStage>(parsed.Pipeline!.Stages[^1]);
        Assert.Null(QueryParser.Parse("{app=\"x\"} |= \"needle\"").Pipeline);
    }

    [Fact]
    public void AnOrChainIsOneFilterThatTheLiteralScanCannotUse()
    {
        var parsed = QueryParser.Parse("{app=\"x\"} |= \"a\" or \"bb\" != \"c\" or \"d\"");
        var filters = parsed.Terms[0].Filters;
        Assert.Equal(3, filters.Count);
        Assert.Equal(["bb"], filters[0].Alternatives.Select(a => a.Text));
        Assert.Equal(["c", "d"], filters.Skip(1).Select(f => f.Text));
        Assert.Null(parsed.RequiredLiteral());
        Assert.True(parsed.Terms[0].Filters[0].Matches("xbbx"u8));
        Assert.False(parsed.Terms[0].Filters[0].Matches("xbx"u8));
    }

    [Theory]
    [InlineData("{app=\"x\"} | json | line_format \"{{.a\"", "line_format: invalid template: unclosed action", 32)]
    [InlineData("{app=\"x\"} | line_format \"{{ .a | nosuch }}\"", "line_format: invalid template: function \"nosuch\" not defined", 33)]
    [InlineData("{app=\"x\"} | label_format a=\"{{ frob .b }}\"", "label_format: invalid template: function \"frob\" not defined", 31)]
    [InlineData(
        "{app=\"x\"} | json | latency > 10parsecs",
        "label filter: '10parsecs' is not a number, a duration (10s, 1h30m) or bytes (1KB, 5MiB)",
        29)]
    [InlineData(
        "{app=\"x\"} | json | latency >",
        "label filter: expected a number, duration (10s) or bytes (1KB) after 'latency', found the end of the query",
        28)]
    [InlineData("{app=\"x\"} | json | (a=\"1\"", "label filter: '(' is not closed", 19)]
    [InlineData("{app=\"x\"} | regexp \"(.*)\"", "regexp: at least one named capture must be supplied, such as (?P<name>…)", 19)]
    [InlineData("{app=\"x\"} | regexp \"(?P<a>\"", "bad regex: InsufficientClosingParentheses", 25)]
    [InlineData("{app=\"x\"} | pattern \"<_> <_>\"", "pattern: at least one capture is required", 20)]
    [InlineData("{app=\"x\"} | pattern \"<a><b>\"", "pattern: found consecutive capture '<a><b>': invalid expression", 20)]
    [InlineData("{app=\"x\"} | logfmt --lenient", "logfmt: unknown flag: the flags are --strict and --keep-empty", 19)]
    [InlineData("{app=\"x\"} | json a=\"b[x]\"", "json: cannot parse expression [b[x]]: '[x]' is neither an index nor a \"key\"", 19)]
    [InlineData("{app=\"x\"} | label_format a=b, a=c", "label_format: multiple label name 'a' not allowed in a single format operation", 30)]
    [InlineData(
        "{app=\"x\"} | frobnicate",
        "label filter: expected an operator after 'frobnicate' (= != =~ !~ == > >= < <=), found the end of the query",
        22)]
    [InlineData(
        "{app=\"x\"} | 42",
        "expected a pipeline stage (json, logfmt, regexp, pattern, unpack, line_format, label_format, drop, keep, decolorize)"
        + " or a label filter, found '4'",
        12)]
    [InlineData("{app=\"x\"} | unwrap latency", "unwrap is only allowed in a range aggregation such as sum_over_time({…} | unwrap x [5m])", 12)]
    [InlineData("{app=\"x\"} |> \"<name> x\"", "pattern line filter: named captures are not allowed: found '<name>'", 13)]
    [InlineData("{app=\"x\"} |= ip(\"nonsense\")", "ip: invalid pattern: \"nonsense\" (an address, a CIDR such as 10.0.0.0/8, "
        + "or a range such as 10.0.0.1-10.0.0.255; IPv4 or IPv6)", 13)]
    [InlineData("{app=\"x\"} | addr > ip(\"10.0.0.1\")", "label filter: ip: invalid operation: addr compares with ip() by = or != only", 17)]
    [InlineData("{level=\"error\", level=~\"(\"}", "bad regex: InsufficientClosingParentheses", 25)]
    public void RejectsBadStagesNamingTheStageAndPosition(string query, string reason, int position)
    {
        var error = Assert.Throws<QueryParseException>(() => QueryParser.Parse(query));
        Assert.Equal(reason, error.Reason);
        Assert.Equal(position, error.Position);
    }

    [Theory]
    [InlineData("{level=\"error\"}", "err")]
    [InlineData("{detected_level=\"critical\"}", "emerg|alert|crit")]
    [InlineData("{level=~\"warn|info\"}", "warning|notice|info")]
    [InlineData("{level!=\"info\"}", "emerg|alert|crit|err|warning|debug|")]
    [InlineData("{level=\"nonsense\"}", "[^\\s\\S]")]
    public void ALevelMatcherBecomesASeverityMatcher(string query, string severities)
    {
        var matcher = Assert.Single(QueryParser.Parse(query).Terms[0].Matchers);
        Assert.Equal(Collector.Storage.LogLabel.Severity, matcher.Label);
        Assert.Equal(MatchOp.Regex, matcher.Op);
        Assert.Equal(severities, matcher.Value);
    }
}
