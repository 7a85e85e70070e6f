using Forwarder.Enrichment;

namespace Forwarder.Multiline;

/// <summary>How the files of this Forwarder are joined: the global spec, the per-pod rules and the bounds.</summary>
public sealed record MultilineSettings(
    MultilineSpec Default,
    IReadOnlyList<MultilinePodRule> Rules,
    int MaxLines,
    TimeSpan FlushTimeout)
{
    /// <summary>
    /// A joiner for a file of <paramref name="pod"/> (null: not a container's), or null when joining is off.
    /// </summary>
    public MultilineJoiner? JoinerFor(PodIdentity? pod, int maxBytes) => JoinerFor(pod, maxBytes, null);

    /// <summary>
    /// As above; <paramref name="annotation"/> (the pod's <c>kube-syslog.io/multiline</c>) wins over the rules and the
    /// default.
    /// </summary>
    public MultilineJoiner? JoinerFor(PodIdentity? pod, int maxBytes, MultilineSpec? annotation) =>
        (annotation ?? MultilinePodRule.For(pod, Rules, Default)).CreateRule() is { } rule
            ? new MultilineJoiner(rule, maxBytes, MaxLines, FlushTimeout)
            : null;
}
