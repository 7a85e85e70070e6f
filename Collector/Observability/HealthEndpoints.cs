using System.Globalization;
using Collector.Configuration;
using Collector.Storage;
using Shared.Observability;

namespace Collector.Observability;

/// <summary>
/// <c>/healthz</c> (the process answers), <c>/readyz</c> (listeners bound, file writable), <c>/metrics</c>.
/// </summary>
public static class HealthEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", (ListenerState listeners, StorageCounters storage, StorageChannel queue, CollectorOptions options) =>
        {
            var problems = new List<string>();
            if (!listeners.Bound)
            {
                problems.Add("listeners are not bound yet");
            }

            if (storage.Fault is { } fault)
            {
                problems.Add(Describe(fault, queue, Path.GetFullPath(options.File)));
            }
            else if (!storage.Writable)
            {
                problems.Add("the messages file is not writable");
            }

            return problems.Count == 0
                ? Results.Text("ready\n")
                : Results.Text(string.Join('\n', problems) + "\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        app.MapGet("/metrics", (CollectorMetrics metrics) => Results.Text(metrics.Render(), PrometheusText.ContentType));
    }

    /// <summary>
    /// What a failing writer means for senders, in the words an operator reading <c>/readyz</c> needs.
    /// </summary>
    private static string Describe(StorageFault fault, StorageChannel queue, string path) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"{(fault.NoSpace ? "disk full" : "cannot write")}: {path}: {fault.Reason} " +
            $"(since {fault.Since:u}, {fault.Attempts} attempts, retrying); " +
            $"{queue.QueuedBytes} bytes wait in the queue, RELP messages are not acknowledged " +
            $"and TCP connections are not read until they are written");
}
