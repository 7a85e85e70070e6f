namespace Forwarder.Metadata;

// Event ids 850-879: unique within the program; LogEventIdTests finds a duplicate among all [LoggerMessage]s.
internal static partial class MetadataLog
{
    [LoggerMessage(850, LogLevel.Information, "Pod metadata: {Pods} pods of node {Node} listed from {Url}; watching for changes")]
    public static partial void Listed(ILogger logger, int pods, string node, Uri url);

    [LoggerMessage(
        851,
        LogLevel.Warning,
        "Pod metadata from {Url} unavailable (attempt {Attempt}): {Reason}; trying again in {Delay}. Lines keep shipping with "
            + "the identity from their file paths")]
    public static partial void Unavailable(ILogger logger, Uri url, int attempt, string reason, TimeSpan delay);

    [LoggerMessage(852, LogLevel.Information, "Pod metadata: the watch's resourceVersion {Version} is too old (410 Gone); listing again")]
    public static partial void Gone(ILogger logger, string version);

    [LoggerMessage(853, LogLevel.Warning, "Pod metadata: the watch of {Url} ended after a healthy run: {Reason}; listing again")]
    public static partial void SessionEnded(ILogger logger, Uri url, string reason);

    [LoggerMessage(
        854,
        LogLevel.Warning,
        "Pod {Namespace}/{Pod}: annotation kube-syslog.io/exclude has the unknown value '{Value}' (true, stdout, stderr or false); ignored")]
    public static partial void UnknownExclude(ILogger logger, string @namespace, string pod, string value);

    [LoggerMessage(855, LogLevel.Information, "Pod metadata: the API server at {Url} could not be configured: {Reason}")]
    public static partial void NotConfigured(ILogger logger, Uri url, string reason);
}
