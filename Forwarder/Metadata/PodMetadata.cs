namespace Forwarder.Metadata;

/// <summary>
/// What the API server says about one pod that its lines carry: the allowlisted labels (in allowlist order), the
/// owner workload (<c>Deployment/payments</c>) and which streams the <c>kube-syslog.io/exclude</c> annotation drops.
/// Immutable: a change of the pod is a new instance, which is how a tailer notices it.
/// </summary>
internal sealed record PodMetadata(
    string Uid,
    string Namespace,
    string Name,
    IReadOnlyList<KeyValuePair<string, string>> Labels,
    string? Workload,
    ExcludedStreams Excluded)
{
    /// <summary>The exclude annotation's value when it was not one we know (logged once per pod, ignored).</summary>
    public string? UnknownExclude { get; init; }

    /// <summary>The allowlisted labels of the pod's namespace (<c>--namespace-labels</c>), in allowlist
    /// order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> NamespaceLabels { get; init; } = [];

    /// <summary>The multiline and rate-limit annotations (<see cref="PodAnnotations"/>).</summary>
    public PodAnnotations Annotations { get; init; } = PodAnnotations.None;
}

/// <summary>The streams of a pod not to ship (<c>kube-syslog.io/exclude</c>).</summary>
[Flags]
internal enum ExcludedStreams
{
    None = 0,
    Stdout = 1,
    Stderr = 2,
    All = Stdout | Stderr,
}
