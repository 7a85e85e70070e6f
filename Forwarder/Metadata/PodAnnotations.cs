using Forwarder.Multiline;
using Forwarder.RateLimiting;

namespace Forwarder.Metadata;

/// <summary>
/// The <c>kube-syslog.io/multiline</c> and <c>kube-syslog.io/rate-limit</c> annotations of a pod
/// (docs/kubernetes-metadata.md). A value that does not parse is kept in <see cref="Unknown"/> (logged once per pod by
/// the source) and ignored: the pod then gets what the switches say.
/// </summary>
internal sealed record PodAnnotations(MultilineSpec? Multiline, RateLimit? RateLimit)
{
    public const string MultilineAnnotation = "kube-syslog.io/multiline";

    public const string RateLimitAnnotation = "kube-syslog.io/rate-limit";

    public const string MultilineRule = "auto, off or presets separated by commas (java, python, go, node, dotnet, ruby)";

    public static PodAnnotations None { get; } = new(null, null);

    /// <summary>Annotations whose value was not understood: (annotation, value, what it must be).</summary>
    public IReadOnlyList<(string Annotation, string Value, string Rule)> Unknown { get; init; } = [];

    public static PodAnnotations Read(IDictionary<string, string>? annotations)
    {
        if (annotations is null)
        {
            return None;
        }

        MultilineSpec? multiline = null;
        RateLimit? rateLimit = null;
        List<(string, string, string)>? unknown = null;
        if (annotations.TryGetValue(MultilineAnnotation, out string? m) && m is not null)
        {
            // Presets only: a regular expression from any pod's author would run on every line of that pod in the
            // node's Forwarder (--multiline-rule is where an operator can give one).
            if (!m.Trim().StartsWith("start:", StringComparison.OrdinalIgnoreCase)
                && !m.Trim().StartsWith("continuation:", StringComparison.OrdinalIgnoreCase)
                && MultilineSpec.TryParse(m, out var spec, out _))
            {
                multiline = spec;
            }
            else
            {
                (unknown ??= []).Add((MultilineAnnotation, m, MultilineRule));
            }
        }

        if (annotations.TryGetValue(RateLimitAnnotation, out string? r) && r is not null)
        {
            if (RateLimiting.RateLimit.TryParse(r, out var limit, out _))
            {
                rateLimit = limit;
            }
            else
            {
                (unknown ??= []).Add((RateLimitAnnotation, r, RateLimiting.RateLimit.Rule));
            }
        }

        return multiline is null && rateLimit is null && unknown is null
            ? None
            : new PodAnnotations(multiline, rateLimit) { Unknown = unknown ?? [] };
    }

    /// <summary>
    /// Logs each value of <paramref name="current"/> that was not understood, unless <paramref name="previous"/> (the
    /// same pod as last seen) had the same one: once per pod and value, however often the pod changes.
    /// </summary>
    public static void LogUnknown(ILogger logger, PodMetadata current, PodMetadata? previous)
    {
        foreach (var (annotation, value, rule) in current.Annotations.Unknown)
        {
            if (previous is null || !previous.Annotations.Unknown.Any(u => u.Annotation == annotation && u.Value == value))
            {
                AnnotationLog.UnknownValue(logger, current.Namespace, current.Name, annotation, value, rule);
            }
        }
    }
}
