namespace Collector.Search.Metrics;

/// <summary>A parsed LogQL metric expression.</summary>
public abstract record MetricNode;

/// <summary>A number literal: a scalar.</summary>
public sealed record ScalarNode(double Value) : MetricNode;

/// <summary><c>vector(N)</c>: one series without labels, N at every step.</summary>
public sealed record VectorNode(double Value) : MetricNode;

/// <summary><c>count_over_time({…} |= "x" [5m] offset 1h)</c> and its siblings.</summary>
public sealed record RangeNode(RangeFunction Function, LogQuery Query, long RangeNs, long OffsetNs) : MetricNode
{
    /// <summary>quantile_over_time's φ.</summary>
    public double Parameter { get; init; }

    /// <summary>
    /// <c>avg_over_time(… | unwrap x [5m]) by (pod)</c>: the labels kept (or, with <see cref="GroupWithout"/>,
    /// dropped) before the samples are put into series; null without a grouping.
    /// </summary>
    public IReadOnlyList<string>? GroupLabels { get; init; }

    public bool GroupWithout { get; init; }
}

/// <summary><c>sum by (a, b) (inner)</c>; <see cref="Without"/> tells whether the labels are kept or dropped.</summary>
public sealed record AggregateNode(AggregateOp Op, MetricNode Inner, IReadOnlyList<string>? Labels, bool Without) : MetricNode
{
    /// <summary>topk's and bottomk's k.</summary>
    public int Parameter { get; init; }
}

/// <summary>
/// <c>left op right</c> with scalars and vectors on either side: arithmetic (<c>+ - * / % ^</c>), comparisons
/// (<c>== != &gt; &gt;= &lt; &lt;=</c>, filtering unless <see cref="ReturnBool"/>) and the set operators
/// <c>and or unless</c> between vectors.
/// </summary>
public sealed record BinaryNode(string Op, MetricNode Left, MetricNode Right) : MetricNode
{
    public bool ReturnBool { get; init; }
}

public enum RangeFunction
{
    CountOverTime,
    Rate,
    BytesOverTime,
    BytesRate,
    AbsentOverTime,
    SumOverTime,
    AvgOverTime,
    MinOverTime,
    MaxOverTime,
    StddevOverTime,
    StdvarOverTime,
    QuantileOverTime,
    FirstOverTime,
    LastOverTime,
}

public enum AggregateOp
{
    Sum,
    Count,
    Min,
    Max,
    Avg,
    Stddev,
    Stdvar,
    TopK,
    BottomK,
    Sort,
    SortDesc,
}
