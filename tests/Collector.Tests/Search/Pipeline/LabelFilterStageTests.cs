namespace Collector.Tests.Search.Pipeline;

/// <summary>
/// Label filters after a parser, with Loki's semantics (pkg/logql/log/label_filter_test.go: a missing label fails a
/// numeric filter, a value that does not convert keeps the line with <c>__error__=LabelFilterErr</c>; <c>or</c>
/// binds looser than <c>and</c> and <c>,</c>).
/// </summary>
public sealed class LabelFilterStageTests
{
    private const string Line = "status=503 method=GET latency=1.5s size=2KiB path=/api/users name=\"Ann\"";

    [Theory]
    [InlineData("status >= 500", true)]
    [InlineData("status > 503", false)]
    [InlineData("status == 503", true)]
    [InlineData("status = 503", true)]
    [InlineData("status != 503", false)]
    [InlineData("status < 503.5", true)]
    [InlineData("status <= -1", false)]
    [InlineData("method = \"GET\"", true)]
    [InlineData("method != \"GET\"", false)]
    [InlineData("method =~ \"G.*\"", true)]
    [InlineData("method =~ \"G\"", false)]
    [InlineData("method !~ \"P.*\"", true)]
    [InlineData("latency > 1s", true)]
    [InlineData("latency > 1500ms", false)]
    [InlineData("latency >= 1500ms", true)]
    [InlineData("latency < 1m30s", true)]
    [InlineData("size > 2KB", true)]
    [InlineData("size > 2KiB", false)]
    [InlineData("size == 2048B", true)]
    [InlineData("missing = \"\"", true)]
    [InlineData("missing > 1", false)]
    [InlineData("status >= 500 and method = \"POST\"", false)]
    [InlineData("status >= 500, method = \"GET\"", true)]
    [InlineData("status >= 500 method = \"GET\"", true)]
    [InlineData("status < 500 or method = \"GET\"", true)]
    [InlineData("method = \"POST\" or status >= 500 and path =~ \"/api/.*\"", true)]
    [InlineData("(method = \"POST\" or status >= 500) and path = \"/\"", false)]
    [InlineData("method = \"POST\" or (status >= 500 and path = \"/\")", false)]
    [InlineData("app = \"x\"", true)]
    [InlineData("level = \"error\"", true)]
    public void FiltersByStringNumberDurationAndBytes(string filter, bool kept)
    {
        var result = Piped.Run($"{{app=\"x\"}} | logfmt | {filter}", Line, ("app", "x"), ("level", "error"));
        Assert.Equal(kept, result is not null);
    }

    [Fact]
    public void AValueThatIsNotANumberKeepsTheLineWithLabelFilterErr()
    {
        Assert.Equal(
            ["__error__=LabelFilterErr", "__error_details__=strconv.ParseFloat: parsing \"GET\": invalid syntax", "method=GET"],
            Piped.Labels("{app=\"x\"} | logfmt | method > 1", "method=GET"));
        Assert.Equal(
            ["__error__=LabelFilterErr", "__error_details__=time: invalid duration \"fast\"", "latency=fast"],
            Piped.Labels("{app=\"x\"} | logfmt | latency > 1s", "latency=fast"));
    }

    [Fact]
    public void ErrorFilterDropsTheLinesAParserFailedOn()
    {
        Assert.Null(Piped.Run("{app=\"x\"} | json | __error__=\"\"", "not json"));
        Assert.NotNull(Piped.Run("{app=\"x\"} | json | __error__=\"\"", "{\"a\":1}"));
        Assert.NotNull(Piped.Run("{app=\"x\"} | json | __error__=\"JSONParserErr\"", "not json"));
        Assert.Equal(["a=1"], Piped.Labels("{app=\"x\"} | json | drop __error__, __error_details__", "{\"a\":1,\"b\":"));
    }

    [Fact]
    public void LineFiltersAfterAParserTestTheLineAsTheStageLeftIt()
    {
        Assert.NotNull(Piped.Run("{app=\"x\"} | json | line_format \"{{.msg}}\" |= \"hello\"", "{\"msg\":\"hello\",\"other\":\"x\"}"));
        Assert.Null(Piped.Run("{app=\"x\"} | json | line_format \"{{.msg}}\" |= \"other\"", "{\"msg\":\"hello\",\"other\":\"x\"}"));
        Assert.NotNull(Piped.Run("{app=\"x\"} | json |= \"nope\" or \"msg\"", "{\"msg\":\"hello\"}"));
        Assert.Null(Piped.Run("{app=\"x\"} | json != \"nope\" or \"msg\"", "{\"msg\":\"hello\"}"));
    }

    [Fact]
    public void DropAndKeepSelectLabelsByNameOrValue()
    {
        const string Line2 = "a=1 b=2 c=3";
        Assert.Equal(["app=x", "c=3"], Piped.Labels("{app=\"x\"} | logfmt | drop a, b=\"2\"", Line2, ("app", "x")));
        Assert.Equal(["a=1", "b=2", "c=3"], Piped.Labels("{app=\"x\"} | logfmt | drop app, b=\"3\"", Line2, ("app", "x")));
        Assert.Equal(["a=1", "c=3"], Piped.Labels("{app=\"x\"} | logfmt | keep a, c=~\"[0-9]\"", Line2, ("app", "x")));
        Assert.Equal(
            ["__error__=JSONParserErr", "__error_details__=Value looks like object, but can't find closing '}' symbol"],
            Piped.Labels("{app=\"x\"} | json | keep nothing", "text", ("app", "x")));
    }
}
