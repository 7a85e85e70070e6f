using System.Text;
using Collector.Search;
using Collector.Storage;

namespace Collector.Tests.Search;

public sealed class QueryParserTests
{
    private const string Line =
        "2026-11-22T10:00:00.123456Z node-1 nginx[4242]: local0.warning ID47 " +
        "[k8s@32473 namespace=\"web\" pod=\"we\\\"b-1\" container=\"nginx\"] GET / 500 error";

    [Theory]
    [InlineData("", true)]
    [InlineData("{}", true)]
    [InlineData("{namespace=\"web\"}", true)]
    [InlineData("{namespace=\"db\"}", false)]
    [InlineData("{namespace!=\"db\", container=~\"ng.*\"}", true)]
    [InlineData("{pod=\"we\\\"b-1\"}", true)]
    [InlineData("{pod=~\"we.b-1\"}", true)]
    [InlineData("{pod=~\"we\"}", false)]
    [InlineData("{container!~\"side.*\"}", true)]
    [InlineData("{host=\"node-1\", app=\"nginx\"}", true)]
    [InlineData("{severity<=\"warning\"}", true)]
    [InlineData("{severity<\"warn\"}", false)]
    [InlineData("{severity=\"4\"}", true)]
    [InlineData("{severity>=\"err\"}", true)]
    [InlineData("{app=\"\"}", false)]
    [InlineData("{missing_label_is_empty=\"\"}", true)]
    [InlineData("{missing_label_is_empty=\"x\"}", false)]
    [InlineData("{job=\"mysql\"}", false)]
    [InlineData("{job!=\"mysql\", namespace=\"web\"}", true)]
    [InlineData("{job=~\"my.*\"}", false)]
    [InlineData("{job!~\".+\"}", true)]
    [InlineData("{level=\"nonsense\"}", false)]
    [InlineData("{} |= \"GET\" != \"POST\"", true)]
    [InlineData("{} |= `500 error` |~ \"GET\\\\s/\"", true)]
    [InlineData("{} !~ \"err(or)?\"", false)]
    [InlineData("  {namespace = \"web\" ,pod=~`we.*` }  |=  \"GET\"  ", true)]
    public void LogQlQueriesMatchAStoredLineAsLokiWould(string query, bool matches)
    {
        var bytes = Encoding.UTF8.GetBytes(Line);
        Assert.Equal(matches, QueryParser.Parse(query).Matches(bytes, StoredLine.Parse(bytes)));
    }

    [Theory]
    [InlineData("pod:we\"b-1", true)]
    [InlineData("pod:web-1", false)]
    [InlineData("namespace:web and container:nginx", true)]
    [InlineData("namespace:web container:sidecar", false)]
    [InlineData("namespace:db or GET", true)]
    [InlineData("\"500 error\"", true)]
    [InlineData("file:4242", true)]
    [InlineData("host:node-2 or app:postgres", false)]
    [InlineData("{namespace=\"web\"}", true)]
    public void GravityQueriesMatchAStoredLine(string query, bool matches)
    {
        var bytes = Encoding.UTF8.GetBytes(Line);
        Assert.Equal(matches, QueryParser.Parse(query, gravity: true).Matches(bytes, StoredLine.Parse(bytes)));
    }

    [Fact]
    public void AStoredLineGivesItsTimeAndLabels()
    {
        var bytes = Encoding.UTF8.GetBytes(Line);
        var line = StoredLine.Parse(bytes);
        Assert.Equal(
            new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero).AddTicks(1_234_560),
            DateTimeOffset.UnixEpoch.AddTicks(line.TimeNs / 100));
        var labels = new string[LogLabels.Count];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = line.LabelString((LogLabel)i);
        }

        Assert.Equal(["web", "we\"b-1", "nginx", "node-1", "nginx", "warning", ""], labels);
        Assert.Equal(0, StoredLine.Parse("Nov 22 10:00:00 node-1 nginx: traditional format"u8).TimeNs);
    }

    [Theory]
    [InlineData("pod:x and", "expected a term")]
    [InlineData("pod:", "needs a value")]
    [InlineData("pod:x or", "expected a term")]
    public void BadGravityQueriesSayWhy(string query, string reason)
    {
        var error = Assert.Throws<QueryParseException>(() => QueryParser.Parse(query, gravity: true));
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\\u00e9", "é")]
    [InlineData("\\U0001F600", "\U0001F600")]
    [InlineData("\\x41\\101", "AA")]
    [InlineData("\\a\\b\\f\\v", "\a\b\f\v")]
    [InlineData("\\t\\\"\\\\", "\t\"\\")]
    public void DoubleQuotedStringsTakeGoEscapes(string escaped, string value)
    {
        var filter = QueryParser.Parse($"{{}} |= \"{escaped}\"").Terms[0].Filters[0];
        Assert.Equal(value, filter.Text);
    }

    [Theory]
    [InlineData("{} |= \"\\x4\"", 7)]
    [InlineData("{} |= \"\\u00g9\"", 7)]
    [InlineData("{} |= \"\\400\"", 7)]
    [InlineData("{} |= \"\\uD800\"", 7)]
    [InlineData("{} |= \"\\.\"", 7)]
    [InlineData("{} |= \"\\xff\"", 7)]
    public void ABadEscapeIsAnErrorAtItsPosition(string query, int position)
    {
        var error = Assert.Throws<QueryParseException>(() => QueryParser.Parse(query));
        Assert.Equal(position, error.Position);
    }
}
