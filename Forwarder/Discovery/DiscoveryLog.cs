namespace Forwarder.Discovery;

internal static partial class DiscoveryLog
{
    [LoggerMessage(1, LogLevel.Warning, "Cannot read directory {Directory} (for {Pattern}); its files are not discovered until it can be read")]
    public static partial void DirectoryUnreadable(ILogger logger, string directory, string pattern, Exception exception);

    [LoggerMessage(2, LogLevel.Information, "Directory {Directory} can be read again")]
    public static partial void DirectoryReadableAgain(ILogger logger, string directory);

    [LoggerMessage(3, LogLevel.Information, "Base directory {Directory} of {Pattern} does not exist (yet) or is not a directory; it is looked for at every scan")]
    public static partial void BaseDirectoryMissing(ILogger logger, string directory, string pattern);

    [LoggerMessage(4, LogLevel.Debug, "Skipping {Path}: {Problem}")]
    public static partial void Skipped(ILogger logger, string path, string problem);

    [LoggerMessage(5, LogLevel.Debug, "Not descending into {Directory} again: it was already visited through another path (a directory link loop?)")]
    public static partial void DirectoryVisited(ILogger logger, string directory);

    [LoggerMessage(10, LogLevel.Warning, "Cannot watch {Directory} for new files ({Reason}); it is polled instead")]
    public static partial void WatchFailed(ILogger logger, string directory, string reason, Exception? exception);

    [LoggerMessage(11, LogLevel.Information, "Watching {Directory} for new files again")]
    public static partial void WatchRecovered(ILogger logger, string directory);

    [LoggerMessage(12, LogLevel.Warning, "Watching {Directory} failed; new files there are found by polling")]
    public static partial void WatchError(ILogger logger, string directory, Exception exception);

    [LoggerMessage(13, LogLevel.Debug, "Watch events for {Directory} overflowed; rescanning")]
    public static partial void WatchOverflow(ILogger logger, string directory);
}
