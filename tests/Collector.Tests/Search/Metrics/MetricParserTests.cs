using Collector.Search;
using Collector.Search.Metrics;

namespace Collector.Tests.Search.Metrics;

/// <summary>
/// The metric grammar's precedence and its refusals, with Loki's messages (pkg/logql/syntax/ast.go) where it has one.
/// </summary>
public sealed class MetricParserTests
{
    [Fact]
    public void OperatorsBindAsInPromQl()
    {
        var node = MetricParser.Parse("vector(1) or vector(2) and vector(3) > 1 + 2 * 3 ^ 2 ^ 1");
        var or = Assert.IsType<BinaryNode>(node);
        Assert.Equal("or", or.Op);
        var and = Assert.IsType<BinaryNode>(or.Right);
        Assert.Equal("and", and.Op);
        var greater = Assert.IsType<BinaryNode>(and.Right);
        Assert.Equal(">", greater.Op);
        var plus = Assert.IsType<BinaryNode>(greater.Right);
        Assert.Equal("+", plus.Op);
        var times = Assert.IsType<BinaryNode>(plus.Right);
        Assert.Equal("*", times.Op);
        var power = Assert.IsType<BinaryNode>(times.Right);
        Assert.Equal("^", power.Op);
        Assert.Equal("^", Assert.IsType<BinaryNode>(power.Right).Op);
    }

    [Fact]
    public void BoolTopkGroupingAndCommentsParse()
    {
        Assert.True(Assert.IsType<BinaryNode>(MetricParser.Parse("vector(1) >= bool vector(2)")).ReturnBool);
        var topk = Assert.IsType<AggregateNode>(MetricParser.Parse("topk by (pod) (3, rate({app=\"x\"}[1m]))"));
        Assert.Equal((AggregateOp.TopK, 3, "pod"), (topk.Op, topk.Parameter, Assert.Single(topk.Labels!)));
        var range = Assert.IsType<RangeNode>(MetricParser.Parse(
            "max_over_time({app=\"x\"} # the app\n | logfmt | unwrap bytes [5m]) without (pod) # by pod"));
        Assert.Equal((true, "pod", "bytes"), (range.GroupWithout, Assert.Single(range.GroupLabels!), range.Query.Pipeline!.Unwrap!.Label));
        Assert.IsType<RangeNode>(MetricParser.Parse("rate(({app=\"x\"} |= \"GET\" | json)[10s])"));
        Assert.Equal(-2, Assert.IsType<ScalarNode>(MetricParser.Parse("-2")).Value);
    }

    [Theory]
    [InlineData("topk(rate({app=\"x\"}[1m]))", "parameter required for operation topk", 5)]
    [InlineData("topk(0, rate({app=\"x\"}[1m]))", "invalid parameter (must be greater than 0) topk(0", 5)]
    [InlineData("bottomk(1.5, rate({app=\"x\"}[1m]))", "invalid parameter bottomk(1.5,", 8)]
    [InlineData("sum_over_time({app=\"x\"} | unwrap b [1m]) by (pod)", "grouping not allowed for sum_over_time aggregation", 0)]
    [InlineData("count_over_time({app=\"x\"}[1m]) by (pod)", "grouping not allowed for count_over_time aggregation", 0)]
    [InlineData("-vector(1)", "a sign must be followed by a number", 1)]
    [InlineData("vector(1) and 1", "unexpected literal for right leg of logical/set binary operation (and)", 10)]
    [InlineData("vector(1) / on (pod) vector(1)", "vector matching (on, ignoring, group_left, group_right) is not supported", 12)]
    [InlineData("sort by (pod) (vector(1))", "grouping not allowed for sort aggregation", 0)]
    [InlineData("count_over_time({app=\"x\", }[1m])", "expected a label matcher after ',', found '}'", 26)]
    public void RefusesWhatLokisParserRefuses(string query, string reason, int position)
    {
        var ex = Assert.Throws<QueryParseException>(() => MetricParser.Parse(query));
        Assert.Equal((reason, position), (ex.Reason, ex.Position));
    }
}
