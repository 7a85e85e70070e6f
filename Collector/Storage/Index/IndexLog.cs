namespace Collector.Storage.Index;

// Event ids 500-599: unique within the program; LogEventIdTests finds a duplicate among all [LoggerMessage]s.
internal static partial class IndexLog
{
    [LoggerMessage(501, LogLevel.Warning, "Index {IndexFile} is damaged ({Reason}); rebuilding it from {Path}")]
    public static partial void Damaged(ILogger logger, string indexFile, string reason, string path);

    [LoggerMessage(502, LogLevel.Information, "Index of {Path} does not match the file (rewritten or truncated from outside); rebuilding it")]
    public static partial void Mismatch(ILogger logger, string path);

    [LoggerMessage(503, LogLevel.Warning, "Cannot save index {IndexFile}; it is kept in memory and saved again later")]
    public static partial void SaveFailed(ILogger logger, string indexFile, Exception exception);

    [LoggerMessage(504, LogLevel.Debug, "Indexed {Path} up to {End} bytes ({Blocks} blocks)")]
    public static partial void Indexed(ILogger logger, string path, long end, int blocks);

    [LoggerMessage(506, LogLevel.Information, "Index {IndexFile} was written by an earlier version of the Collector; rebuilding it from {Path}")]
    public static partial void OlderVersion(ILogger logger, string indexFile, string path);

    [LoggerMessage(505, LogLevel.Warning, "Cannot read {Path} for searching; it is left out")]
    public static partial void Unreadable(ILogger logger, string path, Exception exception);
}
