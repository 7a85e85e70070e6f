using Forwarder.Enrichment;

namespace Forwarder.RateLimiting;

/// <summary>
/// The rate limits of this Forwarder's pods and namespaces (docs/forwarder.md, "Rate limits"): one
/// <see cref="PodLimit"/> per pod that has files being tailed, one bucket per namespace under
/// <c>--rate-limit-namespace</c>.
/// Entries of pods whose files are all gone are dropped at the next scan (<see cref="Keep"/>), so neither memory nor
/// the per-pod series on /metrics grow with pod churn. Only the tailing loop changes it; <see cref="Pods"/> is a copy
/// for the metrics.
/// </summary>
internal sealed class RateLimits(RateLimit podDefault, RateLimit namespaceDefault, TimeProvider time)
{
    /// <summary>The service key of the clock the buckets use (a test gives them a fake one).</summary>
    public const string ClockKey = "rate-limit";

    private readonly Dictionary<(string Namespace, string Pod), PodLimit> _pods = [];
    private readonly Dictionary<string, TokenBucket> _namespaces = new(StringComparer.Ordinal);
    private volatile PodLimit[] _snapshot = [];

    public static RateLimits Off { get; } = new(RateLimit.Off, RateLimit.Off, TimeProvider.System);

    /// <summary>The pods with an entry (for metrics; safe from any thread).</summary>
    public IReadOnlyList<PodLimit> Pods => _snapshot;

    /// <summary>
    /// For a new file of <paramref name="pod"/>: the pod's entry as it is (its annotation may have set it), else one
    /// under the switches; null when nothing limits the pod.
    /// </summary>
    public PodLimit? For(PodIdentity? pod) =>
        pod is not null && _pods.TryGetValue((pod.Namespace, pod.Pod), out var entry) ? entry : For(pod, null);

    /// <summary>
    /// The limits of <paramref name="pod"/>'s lines: <paramref name="annotation"/> (the pod's
    /// <c>kube-syslog.io/rate-limit</c>, null when it has none) wins over <c>--rate-limit-pod</c>. Null for a file
    /// outside Kubernetes' layout, or when nothing limits the pod and it has no entry yet.
    /// </summary>
    public PodLimit? For(PodIdentity? pod, RateLimit? annotation)
    {
        if (pod is null)
        {
            return null;
        }

        var limit = annotation ?? podDefault;
        var key = (pod.Namespace, pod.Pod);
        if (!_pods.TryGetValue(key, out var entry))
        {
            if (limit.IsOff && namespaceDefault.IsOff)
            {
                return null;
            }

            entry = new PodLimit(pod.Namespace, pod.Pod, NamespaceBucket(pod.Namespace));
            _pods[key] = entry;
            _snapshot = [.. _pods.Values];
        }

        entry.SetLimit(limit, time);
        return entry;
    }

    /// <summary>Drops the entries no file being tailed uses any more.</summary>
    public void Keep(IEnumerable<PodLimit?> used)
    {
        if (_pods.Count == 0)
        {
            return;
        }

        var live = new HashSet<PodLimit>(ReferenceEqualityComparer.Instance);
        foreach (var limit in used)
        {
            if (limit is not null)
            {
                live.Add(limit);
            }
        }

        if (live.Count == _pods.Count)
        {
            return;
        }

        foreach (var (key, entry) in _pods.ToList())
        {
            if (!live.Contains(entry))
            {
                _pods.Remove(key);
            }
        }

        var namespaces = new HashSet<string>(live.Select(p => p.Namespace), StringComparer.Ordinal);
        foreach (string ns in _namespaces.Keys.ToList())
        {
            if (!namespaces.Contains(ns))
            {
                _namespaces.Remove(ns);
            }
        }

        _pods.TrimExcess();
        _snapshot = [.. _pods.Values];
    }

    private TokenBucket? NamespaceBucket(string ns)
    {
        if (namespaceDefault.IsOff)
        {
            return null;
        }

        if (!_namespaces.TryGetValue(ns, out var bucket))
        {
            bucket = new TokenBucket(namespaceDefault, time);
            _namespaces[ns] = bucket;
        }

        return bucket;
    }
}
