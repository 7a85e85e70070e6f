using Forwarder.Tailing;
using Shared.Observability;

namespace Forwarder.Observability;

/// <summary>
/// The rate limits on <c>/metrics</c> (docs/forwarder.md): files held back now, and per pod what was skipped. A pod's
/// series exist while it has files being tailed (as <c>file_lag_bytes</c> per file), so pod churn does not pile
/// them up.
/// </summary>
internal static class RateLimitMetrics
{
    public static void Render(PrometheusText m, string prefix, TailingLoop tailing)
    {
        m.Gauge(
            prefix + "rate_limited_files",
            "Files whose last read stopped because their pod or namespace was over its rate limit (lines wait in the file).",
            tailing.Files.Count(f => !f.IsClosed && f.HeldByRateLimit));
        foreach (var pod in tailing.Limits.Pods)
        {
            m.Counter(
                prefix + "rate_limit_skipped_lines_total",
                "Lines of a rate-limited pod skipped because their file was deleted before they were read (a marker was sent).",
                pod.SkippedLines,
                ("namespace", pod.Namespace),
                ("pod", pod.Pod));
        }

        foreach (var pod in tailing.Limits.Pods)
        {
            m.Counter(
                prefix + "rate_limit_skipped_bytes_total",
                "Bytes of those lines.",
                pod.SkippedBytes,
                ("namespace", pod.Namespace),
                ("pod", pod.Pod));
        }
    }
}
