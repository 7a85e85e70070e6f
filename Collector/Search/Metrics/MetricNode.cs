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
}

/// <summary><c>sum by (a, b) (inner)</c>; <see cref="Without"/> tells whether the labels are kept or dropped.</summary>
public sealed record AggregateNode(AggregateOp Op, MetricNode Inner, IReadOnlyList<string>? Labels, bool Without) : MetricNode;

/// <summary><c>left op right</c> with scalars and vectors on either side.</summary>
public sealed record BinaryNode(char Op, MetricNode Left, MetricNode Right) : MetricNode;

public enum RangeFunction
{
    CountOverTime,
    Rate,
    BytesOverTime,
    BytesRate,
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
}
