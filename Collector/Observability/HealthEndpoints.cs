using Collector.Storage;
using Shared.Observability;

namespace Collector.Observability;

/// <summary><c>/healthz</c> (the process answers), <c>/readyz</c> (listeners bound, file writable), <c>/metrics</c>.</summary>
public static class HealthEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", (ListenerState listeners, StorageCounters storage) =>
        {
            var problems = new List<string>();
            if (!listeners.Bound)
            {
                problems.Add("listeners are not bound yet");
            }

            if (!storage.Writable)
            {
                problems.Add("the messages file is not writable");
            }

            return problems.Count == 0
                ? Results.Text("ready\n")
                : Results.Text(string.Join('\n', problems) + "\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        app.MapGet("/metrics", (CollectorMetrics metrics) => Results.Text(metrics.Render(), PrometheusText.ContentType));
    }
}
