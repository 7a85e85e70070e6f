namespace Forwarder.Metadata;

// Event ids 880-889: unique within the program; LogEventIdTests finds a duplicate among all [LoggerMessage]s.
internal static partial class AnnotationLog
{
    [LoggerMessage(880, LogLevel.Warning, "Pod {Namespace}/{Pod}: annotation {Annotation} has the unknown value '{Value}' ({Rule}); ignored")]
    public static partial void UnknownValue(ILogger logger, string @namespace, string pod, string annotation, string value, string rule);
}
