using Forwarder.Metadata;
using Shared.Observability;

namespace Forwarder.Observability;

/// <summary>The pod metadata counters on <c>/metrics</c> (docs/kubernetes-metadata.md).</summary>
internal static class MetadataMetrics
{
    public static void Render(PrometheusText m, string prefix, MetadataCounters c, PodMetadataCache? cache)
    {
        if (cache is not null)
        {
            m.Gauge(prefix + "metadata_pods", "Pods in the metadata cache (deleted ones kept for their grace period included).", cache.Count);
            m.Gauge(
                prefix + "metadata_available",
                "1 while the API server is listed and watched, 0 while it is unavailable or not yet listed.",
                cache.State == MetadataState.Live ? 1 : 0);
        }

        m.Counter(prefix + "metadata_lists_total", "Full lists of this node's pods.", c.Lists);
        m.Counter(prefix + "metadata_relists_gone_total", "Lists made because the watch's resourceVersion was too old (410 Gone).", c.RelistsGone);
        m.Counter(prefix + "metadata_watch_events_total", "Watch events received.", c.WatchEvents);
        m.Counter(prefix + "metadata_errors_total", "Failed lists or watches (retried with backoff; lines keep shipping).", c.Errors);
        m.Counter(
            prefix + "metadata_wait_timeouts_total",
            "Files whose lines waited --metadata-wait for their pod's metadata and then went without it.",
            c.WaitTimeouts);
        m.Counter(
            prefix + "metadata_unavailable_files_total",
            "Files whose lines went without waiting because the API server was unavailable.",
            c.ShippedWhileUnavailable);
        m.Counter(prefix + "metadata_missing_lines_total", "Pod lines shipped without pod metadata (path identity only).", c.LinesWithoutMetadata);
        m.Counter(
            prefix + "metadata_excluded_lines_total",
            "Lines not shipped because of the pod's kube-syslog.io/exclude annotation.",
            c.LinesExcluded);
        m.Counter(prefix + "metadata_evictions_total", "Pods dropped from the metadata cache because it was full.", c.Evictions);
    }
}
