namespace Collector.Tests.Search.Pipeline;

/// <summary>
/// The parsers against Loki's own cases (pkg/logql/log/parser_test.go: Test_jsonParser_Parse,
/// TestJSONExpressionParser, Test_logfmtParser_Parse, Test_regexpParser_Parse, Test_PatternParser,
/// Test_unpackParser_Parse), with the stream labels Loki's case starts from.
/// </summary>
public sealed class ParserStageTests
{
    private const string Selector = "{app=\"x\"}";

    [Fact]
    public void JsonFlattensNestedKeysWithUnderscores()
    {
        Assert.Equal(
            ["app=foo", "namespace=prod", "pod_deployment_ref=foobar", "pod_uuid=foo"],
            Piped.Labels(
                $"{Selector} | json",
                "{\"app\":\"foo\",\"namespace\":\"prod\",\"pod\":{\"uuid\":\"foo\",\"deployment\":{\"ref\":\"foobar\"}}}"));
    }

    [Fact]
    public void JsonAddsExtractedToANameTheStreamAlreadyHasNestedOrNot()
    {
        // Loki's "multi depth with duplicates".
        Assert.Equal(
            ["app=foo", "app_extracted=bar", "namespace=prod", "pod_deployment_ref=foobar", "pod_uuid=foo", "pod_uuid_extracted=bar"],
            Piped.Labels(
                $"{Selector} | json",
                "{\"app\":\"bar\",\"namespace\":\"prod\",\"pod\":{\"uuid\":\"bar\",\"deployment\":{\"ref\":\"foobar\"}}}",
                ("app", "foo"),
                ("pod_uuid", "foo")));
    }

    [Fact]
    public void JsonKeepsNumbersAsWrittenSanitisesNamesAndSkipsArraysAndNulls()
    {
        Assert.Equal(
            ["counter=1", "price__net_=5.56909"],
            Piped.Labels($"{Selector} | json", "{\"counter\":1, \"price\": {\"_net_\":5.56909}}"));
        Assert.Equal(["counter=1"], Piped.Labels($"{Selector} | json", "{\"counter\":1, \"price\": {\"net_\":[\"10\",\"20\"]}}"));
        Assert.Equal(
            ["_1st=a", "a_b_c=d", "ok=true", "x_y=false"],
            Piped.Labels($"{Selector} | json", "{\"1st\":\"a\",\"a-b\":{\"c\":\"d\"},\"ok\":true,\"x.y\":false,\"n\":null}"));
        Assert.Equal(["foo=foo\\\"bar"], Piped.Labels($"{Selector} | json", "{\"foo\":\"foo\\\\\\\"bar\"}"));
    }

    [Fact]
    public void JsonOnALineThatIsNotAnObjectSetsJsonParserErrWithJsonparsersMessage()
    {
        Assert.Equal(
            ["__error__=JSONParserErr", "__error_details__=Value looks like object, but can't find closing '}' symbol", "app=x"],
            Piped.Labels($"{Selector} | json", "not json at all", ("app", "x")));
        Assert.Equal(
            ["__error__=JSONParserErr", "__error_details__=Value looks like object, but can't find closing '}' symbol", "a=1"],
            Piped.Labels($"{Selector} | json", "{\"a\":1,\"b\":{\"c\":2"));
    }

    [Fact]
    public void JsonWithParametersTakesEachPath()
    {
        string line = "{\"app\":\"foo\",\"pod\":{\"uuid\":\"u1\",\"list\":[\"a\",\"b\"]},\"obj\":{\"k\":1},\"key with space\":\"v\",\"n\":null}";
        Assert.Equal(
            ["app_extracted=foo", "first=a", "missing=", "n=", "obj={\"k\":1}", "spaced=v", "uuid=u1"],
            Piped.Labels(
                $"{Selector} | json app, uuid=\"pod.uuid\", first=\"pod.list[0]\", obj=\"obj\", spaced=`[\"key with space\"]`, "
                + "missing=\"no.such\", n=\"n\"",
                line,
                ("app", "x")).Where(l => !l.StartsWith("app=", StringComparison.Ordinal)));

        // Loki's isValidJSONStart: the error, and no labels.
        Assert.Equal(["__error__=JSONParserErr"], Piped.Labels($"{Selector} | json a=\"a\"", "text"));
    }

    [Fact]
    public void LogfmtExtractsPairsAndSkipsEmptyValuesUnlessAskedToKeepThem()
    {
        Assert.Equal(
            ["app=foo", "message=a b", "namespace_extracted=prod", "pod_uid=1"],
            Piped.Labels($"{Selector} | logfmt", "app=foo message=\"a b\" namespace=prod pod.uid=1 empty= bare", ("namespace", "n"))
                .Where(l => !l.StartsWith("namespace=", StringComparison.Ordinal)));
        Assert.Equal(
            ["app=foo", "bare=", "empty="],
            Piped.Labels($"{Selector} | logfmt --keep-empty", "app=foo empty= bare"));
    }

    [Fact]
    public void LogfmtWithoutStrictSkipsBadPairsAndNeverSetsAnError()
    {
        // Loki's "invalid key names" / "garbage" cases: the pair with the stray '=' is skipped.
        Assert.Equal(["a=b", "c=d"], Piped.Labels($"{Selector} | logfmt", "a=b foo=ba=r c=d"));
    }

    [Fact]
    public void LogfmtStrictStopsAtTheFirstBadPairWithTheDecodersMessage()
    {
        // parser_test.go: "foobar=foo=bar" style lines: logfmt syntax error at pos 8 : unexpected '='.
        Assert.Equal(
            ["__error__=LogfmtParserErr", "__error_details__=logfmt syntax error at pos 8 : unexpected '='", "a=b"],
            Piped.Labels($"{Selector} | logfmt --strict", "a=b c=d=e f=g"));
        Assert.Equal(
            ["__error__=LogfmtParserErr", "__error_details__=logfmt syntax error at pos 12 : unterminated quoted value"],
            Piped.Labels($"{Selector} | logfmt --strict", "msg=\"broken"));
    }

    [Fact]
    public void LogfmtWithParametersTakesOnlyThoseKeys()
    {
        Assert.Equal(
            ["level_extracted=error", "m=hi"],
            Piped.Labels($"{Selector} | logfmt level, m=\"msg\"", "level=error msg=hi other=1", ("level", "info"))
                .Where(l => !l.StartsWith("level=", StringComparison.Ordinal)));
    }

    [Fact]
    public void RegexpSetsEveryNamedGroupWhenItMatchesAndNothingWhenItDoesNot()
    {
        const string Query = "{app=\"x\"} | regexp \"^(?P<ip>\\\\S+) (?P<method>GET|POST)(?: (?P<path>/\\\\S*))?\"";
        Assert.Equal(["ip=10.0.0.1", "method=GET", "path=/a"], Piped.Labels(Query, "10.0.0.1 GET /a 200"));
        Assert.Equal(["ip=10.0.0.1", "method=POST", "path="], Piped.Labels(Query, "10.0.0.1 POST"));
        Assert.Empty(Piped.Labels(Query, "nothing here"));
    }

    [Fact]
    public void PatternCapturesBetweenLiteralsAsLokisMatcher()
    {
        // pattern_test.go: `<ip> - <user> [<_>] "<method> <path> <_>" <status> <size>`.
        const string Query = "{app=\"x\"} | pattern `<ip> - <user> [<_>] \"<method> <path> <_>\" <status> <size>`";
        Assert.Equal(
            ["ip=127.0.0.1", "method=GET", "path=/static/style.css", "size=1234", "status=200", "user=frank"],
            Piped.Labels(Query, "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /static/style.css HTTP/1.0\" 200 1234"));

        // A literal that is not found: the capture before it takes the rest and matching stops.
        Assert.Equal(["ip=127.0.0.1 only"], Piped.Labels(Query, "127.0.0.1 only"));
    }

    [Fact]
    public void UnpackReplacesTheLineWithEntryAndAddsTheOtherStrings()
    {
        var result = Piped.Run(
            $"{Selector} | unpack",
            "{\"bar\":1,\"app\":\"foo\",\"namespace\":\"prod\",\"_entry\":\"some message\",\"pod\":{\"uid\":\"1\"}}",
            ("app", "bar"));
        Assert.NotNull(result);
        Assert.Equal("some message", result!.Line);
        Assert.True(result.LineChanged);
        Assert.Equal(["app=bar", "app_extracted=foo", "namespace=prod"], result.Result().Select(l => $"{l.Key}={l.Value}"));

        var unpacked = Piped.Run($"{Selector} | unpack", "{\"app\":\"foo\"}");
        Assert.Empty(unpacked!.Result());
        Assert.False(unpacked.LineChanged);
        Assert.Equal(
            ["__error__=JSONParserErr", "__error_details__=expecting json object(6), but it is not"],
            Piped.Labels($"{Selector} | unpack", "[\"foo\",\"bar\"]"));
    }
}
