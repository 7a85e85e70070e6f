namespace Forwarder.Metadata;

/// <summary>
/// The <c>kube-syslog.io/…</c> annotation values a pod's new metadata has that were not understood (exclude,
/// multiline, rate-limit), logged once per pod and value; both sources call it before they store the pod.
/// </summary>
internal static class UnknownAnnotations
{
    public static void LogNew(ILogger logger, PodMetadata current, PodMetadata? previous)
    {
        if (current.UnknownExclude is { } bad && previous?.UnknownExclude != bad)
        {
            MetadataLog.UnknownExclude(logger, current.Namespace, current.Name, bad);
        }

        PodAnnotations.LogUnknown(logger, current, previous);
    }
}
