
namespace Collector.Storage;

// Event ids 600-699: unique within the program; LogEventIdTests finds a duplicate among all [LoggerMessage]s.
internal static partial class StorageLog
{
    [LoggerMessage(
        601,
        LogLevel.Information,
        "Writing messages to {Path} ({Format} format, rotating at {MaxFileSize} bytes, keeping {MaxFiles} files)")]
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

    [LoggerMessage(
        609,
        LogLevel.Error,
        "Shutdown timed out with {Chunks} batches ({Bytes} bytes) not written to {Path}: RELP senders got no " +
        "acknowledgement for them and send them again; lines among them received over TCP or UDP are lost")]
    public static partial void Abandoned(ILogger logger, int chunks, long bytes, string path);

    [LoggerMessage(610, LogLevel.Information, "Reopening {Path} (SIGHUP)")]
    public static partial void ReopenRequested(ILogger logger, string path);

    [LoggerMessage(
        611,
        LogLevel.Error,
        "The volume of {Path} is full ({Reason}): {Lines} lines wait and are retried in {Delay}; until they are " +
        "written RELP messages are not acknowledged and TCP connections are not read")]
    public static partial void DiskFull(ILogger logger, string path, string reason, int lines, TimeSpan delay);

    [LoggerMessage(
        612,
        LogLevel.Warning,
        "Deleted {File} ({Length} bytes) to keep {MinFree} bytes free (--min-free): {Before} bytes were free, " +
        "now {After}")]
    public static partial void DeletedForMinFree(ILogger logger, string file, long length, long minFree, long before, long after);

    [LoggerMessage(
        613,
        LogLevel.Warning,
        "Only {Available} bytes are free in {Directory}, less than --min-free ({MinFree} bytes), and no rotated file " +
        "is left to delete; {Path} goes on growing")]
    public static partial void MinFreeExhausted(ILogger logger, string directory, long available, long minFree, string path);

    [LoggerMessage(614, LogLevel.Warning, "Cannot measure the free space of {Directory}: --min-free is not enforced until it can")]
    public static partial void VolumeUnmeasurable(ILogger logger, string directory, Exception exception);
}
