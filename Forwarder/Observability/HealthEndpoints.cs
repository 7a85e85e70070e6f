using Forwarder.Shipping;
using Forwarder.Tailing;
using Shared.Observability;

namespace Forwarder.Observability;

/// <summary>
/// <c>/healthz</c>: the tailing loop has started and the process answers (liveness: a restart would not help a
/// stalled target); <c>/readyz</c>: that, and shipping is not stalled, else 503 with the reason (readiness, so
/// <c>kubectl get pods</c> shows it); <c>/metrics</c>: Prometheus text.
/// </summary>
internal static class HealthEndpoints
{
    private const string Starting = "starting: the first scan has not finished\n";

    public static void Map(WebApplication app)
    {
        app.MapGet("/healthz", (TailingLoop tailing) => tailing.Started
            ? Results.Text("ok\n")
            : Results.Text(Starting, statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapGet("/readyz", (TailingLoop tailing, StallDetector stall) =>
        {
            if (!tailing.Started)
            {
                return Results.Text(Starting, statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            return stall.IsStalled(out string reason)
                ? Results.Text(reason + "\n", statusCode: StatusCodes.Status503ServiceUnavailable)
                : Results.Text("ready\n");
        });
        app.MapGet("/metrics", (ForwarderMetrics metrics) => Results.Text(metrics.Render(), PrometheusText.ContentType));
    }
}
