using Collector.Search.Metrics;
using Shared.Configuration;

namespace Collector.Api;

/// <summary>
/// Durations as Loki and Grafana send them (Prometheus' format: <c>1d12h</c>, <c>7d</c>, <c>1w</c>, <c>90s</c>,
/// <c>500ms</c>: whole numbers with units from y to ms, each unit at most once, largest first; LogQL's ranges read the
/// same, <see cref="PromDuration"/>), and the Collector's own forms (<c>1.5h</c>, <c>hh:mm:ss</c>).
/// </summary>
public static class QueryDuration
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        if (PromDuration.TryParse(text, out long ns))
        {
            duration = TimeSpan.FromTicks(ns / TimeSpan.NanosecondsPerTick);
            return true;
        }

        (bool ok, duration) = ConfigValue.ParseDuration(text);
        return ok;
    }
}
