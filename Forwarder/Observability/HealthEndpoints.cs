using Forwarder.Tailing;
using Shared.Observability;

namespace Forwarder.Observability;

/// <summary>
/// <c>/healthz</c>: the tailing loop has started and the process answers; <c>/metrics</c>: Prometheus text.
/// </summary>
internal static class HealthEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/healthz", (TailingLoop tailing) => tailing.Started
            ? Results.Text("ok\n")
            : Results.Text("starting: the first scan has not finished\n", statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapGet("/metrics", (ForwarderMetrics metrics) => Results.Text(metrics.Render(), PrometheusText.ContentType));
    }
}
