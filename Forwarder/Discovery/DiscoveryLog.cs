namespace Forwarder.Discovery;

// Event ids 100-199: unique within the program; LogEventIdTests finds a duplicate among all [LoggerMessage]s.
internal static partial class DiscoveryLog
{
    [LoggerMessage(101, LogLevel.Warning, "Cannot read directory {Directory} (for {Pattern}); its files are not discovered until it can be read")]
    public static partial void DirectoryUnreadable(ILogger logger, string directory, string pattern, Exception exception);

    [LoggerMessage(102, LogLevel.Information, "Directory {Directory} can be read again")]
    public static partial void DirectoryReadableAgain(ILogger logger, string directory);

    [LoggerMessage(
        103,
        LogLevel.Information,
        "Base directory {Directory} of {Pattern} does not exist (yet) or is not a directory; " +
        "it is looked for at every scan")]
    public static partial void BaseDirectoryMissing(ILogger logger, string directory, string pattern);

    [LoggerMessage(104, LogLevel.Debug, "Skipping {Path}: {Problem}")]
    public static partial void Skipped(ILogger logger, string path, string problem);

    [LoggerMessage(
        105,
        LogLevel.Debug,
        "Not descending into {Directory} again: it was already visited through another path (a directory link loop?)")]
    public static partial void DirectoryVisited(ILogger logger, string directory);

    [LoggerMessage(110, LogLevel.Warning, "Cannot watch {Directory} for new files ({Reason}); it is polled instead")]
    public static partial void WatchFailed(ILogger logger, string directory, string reason, Exception? exception);

    [LoggerMessage(111, LogLevel.Information, "Watching {Directory} for new files again")]
    public static partial void WatchRecovered(ILogger logger, string directory);

    [LoggerMessage(112, LogLevel.Warning, "Watching {Directory} failed; new files there are found by polling")]
    public static partial void WatchError(ILogger logger, string directory, Exception exception);

    [LoggerMessage(113, LogLevel.Debug, "Watch events for {Directory} overflowed; rescanning")]
    public static partial void WatchOverflow(ILogger logger, string directory);
}
