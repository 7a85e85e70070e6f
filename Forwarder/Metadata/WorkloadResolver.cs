using k8s.Models;

namespace Forwarder.Metadata;

/// <summary>
/// Names the workload that owns a pod, as <c>Kind/name</c>: the controller owner reference, with ReplicaSet →
/// Deployment
/// by the Deployment controller's naming (the ReplicaSet is <c>&lt;deployment&gt;-&lt;pod-template-hash&gt;</c> and
/// the pod carries that hash as a label, so no request is needed) and Job → CronJob by reading the Job's own owner
/// (a CronJob's Job name ends in the scheduled minute, which a plain Job's name may too, so the name alone cannot
/// tell).
/// </summary>
internal sealed class WorkloadResolver(Func<string, string, CancellationToken, Task<V1Job?>> readJob)
{
    private const string PodTemplateHash = "pod-template-hash";

    // Jobs looked up, by namespace/name: a CronJob's pods (and a Job's retries) share one lookup. Bounded by clearing.
    private readonly Dictionary<(string, string), string> _jobs = [];

    public async Task<string?> ResolveAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var owners = pod.Metadata?.OwnerReferences;
        var owner = owners?.FirstOrDefault(o => o.Controller == true) ?? owners?.FirstOrDefault();
        if (owner is null || string.IsNullOrEmpty(owner.Kind) || string.IsNullOrEmpty(owner.Name))
        {
            return null;
        }

        switch (owner.Kind)
        {
            case "ReplicaSet":
                return pod.Metadata!.Labels is { } labels
                    && labels.TryGetValue(PodTemplateHash, out string? hash)
                    && !string.IsNullOrEmpty(hash)
                    && owner.Name.Length > hash.Length + 1
                    && owner.Name.EndsWith("-" + hash, StringComparison.Ordinal)
                    ? "Deployment/" + owner.Name[..^(hash.Length + 1)]
                    : "ReplicaSet/" + owner.Name;
            case "Job":
                return await JobOwnerAsync(pod.Metadata!.NamespaceProperty ?? "", owner.Name, cancellationToken).ConfigureAwait(false);
            default:
                return owner.Kind + "/" + owner.Name;
        }
    }

    private async Task<string> JobOwnerAsync(string ns, string job, CancellationToken cancellationToken)
    {
        if (_jobs.TryGetValue((ns, job), out string? known))
        {
            return known;
        }

        // A failed lookup (no RBAC for jobs, a Job already deleted) names the Job itself, and is not cached.
        var found = await readJob(ns, job, cancellationToken).ConfigureAwait(false);
        if (found is null)
        {
            return "Job/" + job;
        }

        var owner = found.Metadata?.OwnerReferences?.FirstOrDefault(o => o.Controller == true);
        string name = owner is { Kind: "CronJob", Name: { Length: > 0 } cron } ? "CronJob/" + cron : "Job/" + job;
        if (_jobs.Count >= 4096)
        {
            _jobs.Clear();
        }

        _jobs[(ns, job)] = name;
        return name;
    }
}
