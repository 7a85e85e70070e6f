namespace Collector.Tests.Search.Pipeline;

/// <summary>
/// line_format, label_format and decolorize, with cases from Loki's pkg/logql/log/fmt_test.go
/// (Test_lineFormatter_Format, Test_labelsFormatter_Format) where the template subset covers them.
/// </summary>
public sealed class FormatStageTests
{
    private static string Format(string template, string line, params (string, string)[] stream)
    {
        var result = Piped.Run($"{{app=\"x\"}} | logfmt | line_format {template}", line, stream);
        Assert.NotNull(result);
        Assert.True(result!.Error.Length == 0, $"{result.Error}: {result.ErrorDetails}");
        return result.Line;
    }

    [Theory]
    [InlineData("\"{{.foo}} and {{.bar}}\"", "foo=blip bar=blop", "blip and blop")]
    [InlineData("\"{{.missing}}x\"", "foo=1", "x")]
    [InlineData("\"{{ .foo | ToUpper }} {{ ToLower .bar }}\"", "foo=blip bar=BLOP", "BLIP blop")]
    [InlineData("\"{{ .foo | upper | trunc 2 }}\"", "foo=blip", "BL")]
    [InlineData("\"{{ trunc -2 .foo }}\"", "foo=blip", "ip")]
    [InlineData("\"{{ .foo | replace \\\"i\\\" \\\"o\\\" }}\"", "foo=blip", "blop")]
    [InlineData("\"{{ Replace .foo \\\"i\\\" \\\"o\\\" -1 }}\"", "foo=blipi", "blopo")]
    [InlineData("\"{{ .missing | default \\\"-\\\" }}|{{ .foo | default \\\"-\\\" }}\"", "foo=1", "-|1")]
    [InlineData("\"{{ printf \\\"%s=%05d %.2f %q\\\" .foo 42 1.5 .bar }}\"", "foo=n bar=q", "n=00042 1.50 \"q\"")]
    [InlineData("\"{{ regexReplaceAll \\\"(\\\\\\\\d+)\\\" .foo \\\"<$1>\\\" }}\"", "foo=a12b3", "a<12>b<3>")]
    [InlineData("\"{{ .foo | toJson }}\"", "foo=\"a\\\"b\"", "\"a\\\"b\"")]
    [InlineData("\"{{ if eq .status \\\"500\\\" }}bad{{ else if .status }}ok{{ else }}none{{ end }}\"", "status=500", "bad")]
    [InlineData("\"{{ if eq .status \\\"500\\\" }}bad{{ else if .status }}ok{{ else }}none{{ end }}\"", "status=200", "ok")]
    [InlineData("\"{{ if eq .status \\\"500\\\" }}bad{{ else if .status }}ok{{ else }}none{{ end }}\"", "x=1", "none")]
    [InlineData("\"a {{- .foo -}} b\"", "foo=1", "a1b")]
    [InlineData("\"{{ add .a .b }} {{ div 7 2 }} {{ mulf .a 1.5 }}\"", "a=2 b=3", "5 3 3")]
    [InlineData("\"{{ __line__ | len }}\"", "a=2", "3")]
    [InlineData("\"{{/* comment */}}{{.a}}\"", "a=2", "2")]
    [InlineData("`{{ .foo | substr 1 3 }}`", "foo=abcdef", "bc")]
    public void LineFormatRendersTheTemplateSubset(string template, string line, string expected)
    {
        Assert.Equal(expected, Format(template, line));
    }

    [Fact]
    public void ATemplateThatFailsWhileRunningKeepsTheLineAndSetsTemplateFormatErr()
    {
        var result = Piped.Run("{app=\"x\"} | logfmt | line_format \"{{ div 1 .zero }}\"", "zero=0");
        Assert.Equal("zero=0", result!.Line);
        Assert.Equal("TemplateFormatErr", result.Error);
        Assert.Equal("runtime error: integer divide by zero", result.ErrorDetails);
    }

    [Fact]
    public void LabelFormatRenamesAndRendersFromTheLabelsBeforeTheStage()
    {
        // As Loki's LabelsFormatter: renames apply in order; the templates see the labels as they were when the first
        // template ran, so two templates can swap values.
        Assert.Equal(
            ["app=x", "both=1-2", "c=1", "u=2"],
            Piped.Labels(
                "{app=\"x\"} | logfmt | label_format both=\"{{.a}}-{{.b}}\", c=a, u=\"{{.b | ToUpper}}\" | drop b",
                "a=1 b=2",
                ("app", "x")));
        Assert.Equal(["a=2", "b=1"], Piped.Labels("{app=\"x\"} | logfmt | label_format a=\"{{.b}}\", b=\"{{.a}}\"", "a=1 b=2"));
        Assert.Equal(["both=-2", "c=1"], Piped.Labels("{app=\"x\"} | logfmt | label_format c=a, both=\"{{.a}}-{{.b}}\" | drop b", "a=1 b=2"));
        Assert.Equal(["app=X"], Piped.Labels("{app=\"x\"} | label_format app=\"{{.app | ToUpper}}\"", "line", ("app", "x")));
    }

    [Fact]
    public void DecolorizeRemovesAnsiSequences()
    {
        var result = Piped.Run("{app=\"x\"} | decolorize", "\u001b[31mred\u001b[0m plain \u001b[1;32mbold\u001b[0m");
        Assert.Equal("red plain bold", result!.Line);
    }
}
