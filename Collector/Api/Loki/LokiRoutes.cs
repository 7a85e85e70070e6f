using System.Text.RegularExpressions;

namespace Collector.Api.Loki;

/// <summary>
/// Maps Loki's query API under <c>/loki/api/v1</c> (Grafana's Loki data source and logcli call only these) and
/// <c>/ready</c>. Errors are plain text as Loki writes them: 400 for bad parameters and queries, 404 for any other
/// path under <c>/loki</c>; the bearer token is checked with the rest of the API (<see cref="ApiEndpoints"/>).
/// </summary>
public static class LokiRoutes
{
    public const string Prefix = "/loki";

    public static void AddServices(IServiceCollection services)
    {
        services.AddSingleton<Search.Metrics.TimeOrderedSearch>();
        services.AddSingleton<Search.Metrics.MetricEvaluator>();
        services.AddSingleton<Search.Metrics.StreamIndex>();
        services.AddSingleton<LokiQueryEndpoints>();
        services.AddSingleton<LokiLabelEndpoints>();
        services.AddSingleton<LokiIndexEndpoints>();
    }

    public static void Map(WebApplication app)
    {
        var query = app.Services.GetRequiredService<LokiQueryEndpoints>();
        var labels = app.Services.GetRequiredService<LokiLabelEndpoints>();
        var index = app.Services.GetRequiredService<LokiIndexEndpoints>();
        var tail = app.Services.GetRequiredService<TailEndpoints>();
        string[] getPost = [HttpMethods.Get, HttpMethods.Post];
        app.MapMethods("/loki/api/v1/query_range", getPost, Guarded(query.QueryRangeAsync));
        app.MapMethods("/loki/api/v1/query", getPost, Guarded(query.QueryAsync));
        app.MapMethods("/loki/api/v1/labels", getPost, Guarded(labels.LabelsAsync));
        app.MapMethods("/loki/api/v1/label/{name}/values", getPost, Guarded(labels.LabelValuesAsync));
        app.MapMethods("/loki/api/v1/series", getPost, Guarded(labels.SeriesAsync));
        app.MapMethods("/loki/api/v1/index/stats", getPost, Guarded(index.StatsAsync));
        app.MapMethods("/loki/api/v1/index/volume", getPost, Guarded(index.VolumeAsync));
        app.MapMethods("/loki/api/v1/index/volume_range", getPost, Guarded(index.VolumeRangeAsync));
        app.MapGet("/loki/api/v1/status/buildinfo", Guarded(LokiIndexEndpoints.BuildInfoAsync));
        app.MapGet("/loki/api/v1/tail", Guarded(tail.TailAsync));

        // The query side needs nothing beyond a running server: the stored files are read as they are.
        app.MapGet("/ready", () => Results.Text("ready\n"));

        // Go's mux answer to an unknown path, which logcli and Grafana show as is.
        app.Map("/loki/{**rest}", context => LokiError.WriteAsync(context, StatusCodes.Status404NotFound, "404 page not found"));
    }

    /// <summary>Writes the handlers' errors as Loki does: plain text with the status.</summary>
    private static RequestDelegate Guarded(RequestDelegate handler) => async context =>
    {
        try
        {
            await handler(context).ConfigureAwait(false);
        }
        catch (ProblemException problem) when (!context.Response.HasStarted)
        {
            await LokiError.WriteAsync(context, problem.Status, problem.Message).ConfigureAwait(false);
        }
        catch (RegexMatchTimeoutException ex) when (!context.Response.HasStarted)
        {
            await LokiError.WriteAsync(
                context,
                StatusCodes.Status400BadRequest,
                $"a regex took longer than {ex.MatchTimeout.TotalSeconds:0.#} s on one line: simplify it").ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client left.
        }
    };
}
