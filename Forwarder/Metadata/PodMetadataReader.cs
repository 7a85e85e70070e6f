using k8s.Models;

namespace Forwarder.Metadata;

/// <summary>
/// Turns a pod from the API into the little the Forwarder keeps of it: allowlisted labels, the owner workload and the
/// exclude annotation. The rest of the object (spec, status, managed fields) is dropped at once, which keeps the cache
/// small (docs/kubernetes-metadata.md has the measurement).
/// </summary>
internal sealed class PodMetadataReader(IReadOnlyList<string> labelKeys)
{
    public const string ExcludeAnnotation = "kube-syslog.io/exclude";

    /// <summary>Null when the pod lacks what identifies it (uid, namespace, name).</summary>
    public PodMetadata? Read(V1Pod pod, string? workload)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var meta = pod.Metadata;
        if (meta?.Uid is not { Length: > 0 } uid || meta.NamespaceProperty is not { Length: > 0 } ns || meta.Name is not { Length: > 0 } name)
        {
            return null;
        }

        var labels = new List<KeyValuePair<string, string>>(labelKeys.Count);
        if (meta.Labels is { } all)
        {
            foreach (string key in labelKeys)
            {
                if (all.TryGetValue(key, out string? value) && value is not null)
                {
                    labels.Add(new(key, value));
                }
            }
        }

        string? exclude = meta.Annotations is { } annotations && annotations.TryGetValue(ExcludeAnnotation, out string? v) ? v : null;
        var excluded = ParseExclude(exclude, out bool known);
        return new PodMetadata(uid, ns, name, labels, workload, excluded)
        {
            UnknownExclude = known ? null : exclude,
            Annotations = PodAnnotations.Read(meta.Annotations),
        };
    }

    /// <summary>"true" (every stream), "stdout", "stderr", "false"; anything else is unknown and excludes
    /// nothing.</summary>
    public static ExcludedStreams ParseExclude(string? value, out bool known)
    {
        known = true;
        switch (value?.Trim().ToLowerInvariant())
        {
            case null or "" or "false":
                return ExcludedStreams.None;
            case "true":
                return ExcludedStreams.All;
            case "stdout":
                return ExcludedStreams.Stdout;
            case "stderr":
                return ExcludedStreams.Stderr;
            default:
                known = false;
                return ExcludedStreams.None;
        }
    }
}
