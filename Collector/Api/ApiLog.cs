namespace Collector.Api;

// Event ids 100-199: unique within the program; LogEventIdTests finds a duplicate among all [LoggerMessage]s.
internal static partial class ApiLog
{
    [LoggerMessage(101, LogLevel.Warning, "The tail hub stopped; live tails get no more lines")]
    public static partial void TailHubFailed(ILogger logger, Exception exception);

    [LoggerMessage(102, LogLevel.Debug, "Tail {Id} ended: {Reason}")]
    public static partial void TailEnded(ILogger logger, string id, string reason);

    [LoggerMessage(103, LogLevel.Warning, "Tail {Id} failed")]
    public static partial void TailFailed(ILogger logger, string id, Exception exception);

    [LoggerMessage(104, LogLevel.Warning, "Search failed: {Query}")]
    public static partial void SearchFailed(ILogger logger, string query, Exception exception);

    [LoggerMessage(105, LogLevel.Warning, "Refused a tail: {Limit} tails are open already")]
    public static partial void TooManyTails(ILogger logger, int limit);
}
