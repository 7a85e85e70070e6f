namespace Forwarder.RateLimiting;

// Event ids 950-959: unique within the program; LogEventIdTests finds a duplicate among all [LoggerMessage]s.
internal static partial class RateLimitLog
{
    [LoggerMessage(
        950,
        LogLevel.Warning,
        "{Lines} lines ({Bytes} bytes) of pod {Namespace}/{Pod} skipped by rate limit: {Path} was deleted before they were read; "
            + "a marker message was sent in their place")]
    public static partial void Skipped(ILogger logger, long lines, string @namespace, string pod, string path, long bytes);
}
