namespace Collector.Search;

/// <summary>
/// A query that cannot be parsed; <see cref="Position"/> is the 0-based character offset of the problem.
/// </summary>
public sealed class QueryParseException(string message, int position) : Exception($"{message} at position {position}")
{
    public int Position => position;

    public string Reason => message;
}
