using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Collector.Configuration;

namespace Collector.Api;

/// <summary>
/// Maps the search and tail API. With a token configured, every <c>/api</c>, <c>/v1</c> and <c>/loki</c> request must
/// carry
/// <c>Authorization: Bearer TOKEN</c> (compared in constant time; a WebSocket may send <c>access_token=TOKEN</c>
/// instead); health, readiness, metrics and the web UI's static files stay open.
/// Errors are problem+json: 400 for bad parameters and queries (with the position), 401, 429 for too many tails.
/// </summary>
public static class ApiEndpoints
{
    public static void Map(WebApplication app)
    {
        var options = app.Services.GetRequiredService<CollectorOptions>();
        byte[]? token = options.ApiToken is { } t ? Encoding.UTF8.GetBytes(t) : null;
        app.UseWebSockets();
        app.Use(async (context, next) =>
        {
            if (token is not null && IsApi(context.Request.Path) && !Authorized(context, token))
            {
                if (context.Request.Path.StartsWithSegments(Loki.LokiRoutes.Prefix, StringComparison.OrdinalIgnoreCase))
                {
                    await Loki.LokiError.WriteAsync(context, StatusCodes.Status401Unauthorized,
                        "Unauthorized: send 'Authorization: Bearer TOKEN' with the Collector's API token")
                        .ConfigureAwait(false);
                    return;
                }

                await new ProblemException(
                        StatusCodes.Status401Unauthorized,
                        "Unauthorized",
                        "this route needs 'Authorization: Bearer TOKEN' with the Collector's API token")
                    .WriteAsync(context).ConfigureAwait(false);
                return;
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
        app.MapPut("/api/v1/relays/{name}", Guarded(relays.PutAsync));
        app.MapDelete("/api/v1/relays/{name}", Guarded(relays.DeleteAsync));
        app.MapPut("/v1/forwarders", Guarded(relays.PutForwardersAsync));
        Loki.LokiRoutes.Map(app);
    }

    private static bool IsApi(PathString path) =>
        path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments(Loki.LokiRoutes.Prefix, StringComparison.OrdinalIgnoreCase);

    private static bool Authorized(HttpContext context, byte[] token)
    {
        string header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            // A browser's WebSocket cannot set headers: the web UI's live tail sends the token as access_token.
            return context.WebSockets.IsWebSocketRequest && context.Request.Query["access_token"].ToString() is { Length: > 0 } query
                && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(query), token);
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[7..].Trim()), token);
    }

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
