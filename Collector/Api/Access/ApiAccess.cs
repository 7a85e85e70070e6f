using System.Text;
using Collector.Configuration;

namespace Collector.Api.Access;

/// <summary>
/// Who may call which route. Without any token the API is open (the local default). With tokens, every API request
/// needs one: a read route takes the read token (<c>--api-token-file</c>) or the admin token
/// (<c>--admin-token-file</c>), an admin route (relay changes) only the admin token. A valid read token on an admin
/// route is 403, not 401: the caller is known and not allowed; without an admin token configured, relays cannot be
/// changed over HTTP at all (the relay directory still can be). A WebSocket may send <c>access_token=TOKEN</c>
/// instead of the header, since a browser's cannot set headers.
/// </summary>
internal sealed class ApiAccess
{
    private readonly TokenSource? _read;
    private readonly TokenSource? _admin;

    public ApiAccess(CollectorOptions options, TimeProvider time, ILogger<ApiAccess> logger)
    {
        _read = options.ApiToken is { } read ? new TokenSource("API", read, options.ApiTokenFile, time, logger) : null;
        _admin = options.AdminToken is { } admin ? new TokenSource("admin", admin, options.AdminTokenFile, time, logger) : null;
    }

    /// <summary>Null when the request may go on; else the problem to answer with.</summary>
    public ProblemException? Check(HttpContext context, ApiRole needed)
    {
        if (_read is null && _admin is null)
        {
            return null;
        }

        byte[]? presented = Presented(context);
        bool admin = presented is not null && _admin is not null && _admin.Matches(presented);
        bool read = !admin && presented is not null && _read is not null && _read.Matches(presented);
        if (admin || (read && needed == ApiRole.Read))
        {
            return null;
        }

        if (!read)
        {
            return new ProblemException(
                StatusCodes.Status401Unauthorized,
                "Unauthorized",
                needed == ApiRole.Admin
                    ? "this route changes relays and needs 'Authorization: Bearer TOKEN' with the Collector's admin token"
                    : "this route needs 'Authorization: Bearer TOKEN' with the Collector's API token");
        }

        return new ProblemException(
            StatusCodes.Status403Forbidden,
            "Forbidden",
            _admin is null
                ? "relay changes over HTTP are off: the Collector has no admin token (--admin-token-file); the API token only reads"
                : "this route changes relays and needs the admin token (--admin-token-file); the API token only reads");
    }

    private static byte[]? Presented(HttpContext context)
    {
        string header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Encoding.UTF8.GetBytes(header[7..].Trim());
        }

        return context.WebSockets.IsWebSocketRequest && context.Request.Query["access_token"].ToString() is { Length: > 0 } query
            ? Encoding.UTF8.GetBytes(query)
            : null;
    }
}
