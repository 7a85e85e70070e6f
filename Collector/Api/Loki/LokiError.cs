using System.Text;

namespace Collector.Api.Loki;

/// <summary>
/// Errors under <c>/loki</c> as Loki writes them (Go's <c>http.Error</c>): the message and a newline as
/// <c>text/plain; charset=utf-8</c> with <c>nosniff</c>; logcli and Grafana show that body to the user.
/// </summary>
public static class LokiError
{
    public static async Task WriteAsync(HttpContext context, int status, string message)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers.XContentTypeOptions = "nosniff";
        if (status == StatusCodes.Status401Unauthorized)
        {
            response.Headers.WWWAuthenticate = "Bearer";
        }

        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(message + "\n"), context.RequestAborted).ConfigureAwait(false);
    }
}
