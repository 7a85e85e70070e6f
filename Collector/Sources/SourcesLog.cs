namespace Collector.Sources;

internal static partial class SourcesLog
{
    [LoggerMessage(
        701,
        LogLevel.Warning,
        "{Path} cannot be read ({Reason}): origin tracking starts from nothing, and re-sent lines may be stored again")]
    public static partial void Unreadable(ILogger logger, string path, string reason, Exception? exception);

    [LoggerMessage(702, LogLevel.Information, "Sources: {Count} known; rebuilt from {Bytes} bytes of {File} written after the last save")]
    public static partial void Rebuilt(ILogger logger, int count, long bytes, string file);

    [LoggerMessage(
        703,
        LogLevel.Warning,
        "Sources: the messages file read up to the last save is gone (rotated and compressed?); reading {File} from " +
        "its start, and re-sent lines in between may be stored again")]
    public static partial void PositionLost(ILogger logger, string file);

    [LoggerMessage(704, LogLevel.Warning, "Sources: reading back or saving {Path} failed; retried in a second")]
    public static partial void Failed(ILogger logger, string path, Exception exception);

    [LoggerMessage(
        705,
        LogLevel.Information,
        "Sources: the {Format} format keeps no STRUCTURED-DATA, so origins are tracked in memory only (not across " +
        "restarts)")]
    public static partial void NotPersisted(ILogger logger, Storage.LineFormat format);

    [LoggerMessage(706, LogLevel.Debug, "Sources: forgot {Count} sources not stored for a long time")]
    public static partial void Expired(ILogger logger, int count);
}
