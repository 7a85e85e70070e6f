
namespace Collector.Storage;

// Event ids 600-699: unique within the program; LogEventIdTests finds a duplicate among all [LoggerMessage]s.
internal static partial class StorageLog
{
    [LoggerMessage(601, LogLevel.Information, "Writing messages to {Path} ({Format} format, rotating at {MaxFileSize} bytes, keeping {MaxFiles} files)")]
    public static partial void Opened(ILogger logger, string path, LineFormat format, long maxFileSize, int maxFiles);

    [LoggerMessage(602, LogLevel.Information, "Rotated {Path} at {Size} bytes")]
    public static partial void Rotated(ILogger logger, string path, long size);

    [LoggerMessage(603, LogLevel.Warning, "Cannot write {Path}; {Lines} lines wait and are retried in {Delay}")]
    public static partial void WriteFailed(ILogger logger, string path, int lines, TimeSpan delay, Exception exception);

    [LoggerMessage(604, LogLevel.Information, "Writing {Path} again after {Failures} failed attempts")]
    public static partial void WriteRecovered(ILogger logger, string path, int failures);

    [LoggerMessage(605, LogLevel.Warning, "Rotated-file housekeeping failed on {Path}")]
    public static partial void HousekeepingFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(606, LogLevel.Warning, "{Path} was removed or replaced from outside: writing a new file")]
    public static partial void Reopened(ILogger logger, string path);

    [LoggerMessage(607, LogLevel.Warning, "{Path} shrank from {Expected} to {Actual} bytes (truncated from outside): appending at the new end")]
    public static partial void Truncated(ILogger logger, string path, long expected, long actual);

    [LoggerMessage(608, LogLevel.Information, "Storage drained: {Lines} lines, {Bytes} bytes written in total")]
    public static partial void Drained(ILogger logger, long lines, long bytes);

    [LoggerMessage(609, LogLevel.Error, "Shutdown timed out with {Chunks} batches ({Bytes} bytes) not written to {Path}")]
    public static partial void Abandoned(ILogger logger, int chunks, long bytes, string path);

    [LoggerMessage(610, LogLevel.Information, "Reopening {Path} (SIGHUP)")]
    public static partial void ReopenRequested(ILogger logger, string path);
}
