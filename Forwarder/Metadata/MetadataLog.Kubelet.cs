namespace Forwarder.Metadata;

// Event ids 870-879: the kubelet source and namespace labels.
internal static partial class MetadataLog
{
    [LoggerMessage(870, LogLevel.Information, "Pod metadata: {Pods} pods of this node read from the kubelet at {Url}; reading again every {Poll}")]
    public static partial void KubeletRead(ILogger logger, int pods, Uri url, TimeSpan poll);

    [LoggerMessage(
        871,
        LogLevel.Warning,
        "Pod metadata from the kubelet at {Url} unavailable (attempt {Attempt}): {Reason}; trying again in {Delay}. Lines keep "
            + "shipping with the identity from their file paths")]
    public static partial void KubeletUnavailable(ILogger logger, Uri url, int attempt, string reason, TimeSpan delay);

    [LoggerMessage(
        872,
        LogLevel.Warning,
        "Pod metadata: --kubelet-insecure-tls is on: the kubelet at {Url} is not authenticated, and the service account's token is "
            + "sent to whatever answers there")]
    public static partial void KubeletInsecure(ILogger logger, Uri url);

    [LoggerMessage(
        873,
        LogLevel.Information,
        "Pod metadata: the API server at {Url} did not answer a Job lookup ({Reason}); Job pods are named Job/NAME for {Pause}")]
    public static partial void JobLookupPaused(ILogger logger, Uri url, string reason, TimeSpan pause);

    [LoggerMessage(874, LogLevel.Information, "Namespace labels: {Namespaces} namespaces listed from {Url}; watching for changes")]
    public static partial void NamespacesListed(ILogger logger, int namespaces, Uri url);

    [LoggerMessage(
        875,
        LogLevel.Warning,
        "Namespace labels from {Url} unavailable (attempt {Attempt}): {Reason}; trying again in {Delay}. Lines keep shipping with the "
            + "namespace labels last seen")]
    public static partial void NamespacesUnavailable(ILogger logger, Uri url, int attempt, string reason, TimeSpan delay);
}
