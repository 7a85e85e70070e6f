namespace Collector.Search.Metrics;

/// <summary>One series of a metric result: its labels (sorted by name) and a value or null per step.</summary>
public sealed record MetricSeries(KeyValuePair<string, string>[] Labels, double?[] Values);

/// <summary>
/// A metric expression evaluated at <see cref="TimesNs"/>: a scalar (one value per step) or series.
/// </summary>
public sealed class MetricResult(long[] timesNs, double[]? scalar, List<MetricSeries> series)
{
    public long[] TimesNs => timesNs;

    /// <summary>Set when the expression is a scalar (<c>1+1</c>): its value per step.</summary>
    public double[]? Scalar => scalar;

    public List<MetricSeries> Series => series;

    /// <summary>Index blocks whose lines were counted from the index alone (<see cref="IndexedCounts"/>).</summary>
    public long BlocksCounted { get; init; }

    /// <summary>Index blocks <see cref="IndexedCounts"/> read line by line (a window's edge cut them).</summary>
    public long BlocksRead { get; init; }
}

/// <summary>A query over one of the limits that keep the Collector alive; the message names the limit.</summary>
public sealed class MetricLimitException(string message) : Exception(message);
