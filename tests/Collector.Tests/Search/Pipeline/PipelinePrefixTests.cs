using Collector.Search;
using Collector.Search.Metrics;

namespace Collector.Tests.Search.Pipeline;

/// <summary>
/// Kestrel's prefix ladder for the pipeline parser: every prefix of a valid query either parses or is a
/// <see cref="QueryParseException"/> at a position inside the text; no other exception, whatever was cut off.
/// </summary>
public sealed class PipelinePrefixTests
{
    public static TheoryData<string> Queries() =>
    [
        "{app=\"x\"} |= \"a\" or `b` != \"c\" | json first=\"a.b[0]\", c | status >= 500 and (latency > 1.5s or size <= 10KiB), m =~ \"G.*\"",
        "{level=~\"err.*\"} | logfmt --strict --keep-empty a, b=\"c\""
        + " | line_format `{{- if eq .a \"1\" -}}{{ .b | ToUpper | printf \"%-5s|\" }}{{ else }}{{ __line__ }}{{ end }}`",
        "{app=\"x\"} | regexp \"(?P<a>\\\\w+) (?P<b>.*)\" | pattern \"<c> <_>\""
        + " | label_format d=a, e=\"{{ .b | trunc -3 | default \\\"z\\\" }}\" | drop a, b=\"1\" | keep c | decolorize | unpack",
        "sum by (status) (count_over_time({app=\"x\"} | json | (status >= 500 or status == 404) [5m]))",
    ];

    [Theory]
    [MemberData(nameof(Queries))]
    public void EveryPrefixParsesOrIsAQueryParseException(string query)
    {
        for (int length = 0; length <= query.Length; length++)
        {
            string prefix = query[..length];
            try
            {
                if (MetricParser.IsMetric(prefix))
                {
                    MetricParser.Parse(prefix);
                }
                else
                {
                    QueryParser.Parse(prefix);
                }
            }
            catch (QueryParseException ex)
            {
                Assert.InRange(ex.Position, 0, prefix.Length);
            }
        }

        // The whole query is valid.
        _ = MetricParser.IsMetric(query) ? (object)MetricParser.Parse(query) : QueryParser.Parse(query);
    }

    [Theory]
    [InlineData("{{ round .a 400 }}")]
    [InlineData("{{ substr 9 2 .a }}")]
    [InlineData("{{ repeat 99999999 .a }}")]
    [InlineData("{{ b64dec .a }}")]
    [InlineData("{{ div 1 0 }}")]
    [InlineData("{{ printf \"%d %s %!\" .a }}")]
    [InlineData("{{ .a.b }}")]
    [InlineData("{{ regexReplaceAll \"(\" .a \"x\" }}")]
    public void ATemplateThatFailsOnAValueGivesTemplateFormatErrNotAnException(string template)
    {
        var result = Piped.Run($"{{app=\"x\"}} | logfmt | line_format `{template}`", "a=abc");
        Assert.NotNull(result);
    }
}
