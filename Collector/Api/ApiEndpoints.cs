using System.Text.RegularExpressions;
using Collector.Api.Access;

namespace Collector.Api;

/// <summary>
/// Maps the search and tail API. With tokens configured, every <c>/api</c>, <c>/v1</c> and <c>/loki</c> request must
/// carry <c>Authorization: Bearer TOKEN</c>, the admin token for relay changes (<see cref="ApiAccess"/>); health,
/// readiness, metrics and the web UI's static files stay open.
/// Errors are problem+json (plain text under <c>/loki</c>, as Loki answers): 400 for bad parameters and queries (with
/// the position), 401, 403, 429 for too many tails.
/// </summary>
public static class ApiEndpoints
{
    public static void Map(WebApplication app)
    {
        var access = app.Services.GetRequiredService<ApiAccess>();
        var logger = app.Services.GetRequiredService<ILogger<ApiAccess>>();
        app.UseWebSockets();
        app.Use(async (context, next) =>
        {
            // Routing ran first (WebApplication puts it at the start): the route's role is in its metadata.
            if (IsApi(context.Request.Path))
            {
                var needed = context.GetEndpoint()?.Metadata.GetMetadata<RoleMetadata>()?.Role ?? ApiRole.Read;
                if (access.Check(context, needed) is { } refused)
                {
                    if (refused.Status == StatusCodes.Status403Forbidden)
                    {
                        string? peer = context.Connection.RemoteIpAddress?.ToString();
                        AccessLog.Forbidden(logger, context.Request.Method, context.Request.Path, peer, refused.Message);
                    }

                    if (context.Request.Path.StartsWithSegments(Loki.LokiRoutes.Prefix, StringComparison.OrdinalIgnoreCase))
                    {
                        await Loki.LokiError.WriteAsync(context, refused.Status, refused.Title + ": " + refused.Message).ConfigureAwait(false);
                        return;
                    }

                    await refused.WriteAsync(context).ConfigureAwait(false);
                    return;
                }
            }

            await next(context).ConfigureAwait(false);
        });

        var search = app.Services.GetRequiredService<SearchEndpoints>();
        var gravity = app.Services.GetRequiredService<GravityEndpoints>();
        var tail = app.Services.GetRequiredService<TailEndpoints>();
        app.MapGet("/api/v1/query_range", Guarded(search.QueryRangeAsync));
        app.MapGet("/api/v1/labels", Guarded(search.LabelsAsync));
        app.MapGet("/api/v1/label/{name}/values", Guarded(search.LabelValuesAsync));
        app.MapGet("/api/v1/volume_range", Guarded(app.Services.GetRequiredService<VolumeEndpoints>().VolumeRangeAsync));
        app.MapGet("/api/v1/tail", Guarded(tail.TailAsync));
        app.MapGet("/v1/log", Guarded(gravity.LogAsync));
        app.MapGet("/v1/download", Guarded(gravity.DownloadAsync));
        app.MapGet("/api/v1/sources", Guarded(app.Services.GetRequiredService<SourceEndpoints>().ListAsync));
        var relays = app.Services.GetRequiredService<RelayEndpoints>();
        app.MapGet("/api/v1/relays", Guarded(relays.ListAsync));
        app.MapGet("/api/v1/relays/{name}", Guarded(relays.GetAsync));
        app.MapPut("/api/v1/relays/{name}", Guarded(relays.PutAsync)).WithMetadata(RoleMetadata.Admin);
        app.MapDelete("/api/v1/relays/{name}", Guarded(relays.DeleteAsync)).WithMetadata(RoleMetadata.Admin);
        app.MapPut("/v1/forwarders", Guarded(relays.PutForwardersAsync)).WithMetadata(RoleMetadata.Admin);
        Loki.LokiRoutes.Map(app);
    }

    private static bool IsApi(PathString path) =>
        path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments(Loki.LokiRoutes.Prefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>Turns the handlers' ProblemException (and a regex that ran out of time) into problem+json.</summary>
    private static RequestDelegate Guarded(RequestDelegate handler) => async context =>
    {
        try
        {
            await handler(context).ConfigureAwait(false);
        }
        catch (ProblemException problem) when (!context.Response.HasStarted)
        {
            await problem.WriteAsync(context).ConfigureAwait(false);
        }
        catch (RegexMatchTimeoutException ex) when (!context.Response.HasStarted)
        {
            await ProblemException
                .BadRequest($"a regex took longer than {ex.MatchTimeout.TotalSeconds:0.#} s on one line: simplify it")
                .WriteAsync(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client left.
        }
    };
}
