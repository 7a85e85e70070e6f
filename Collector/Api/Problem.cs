using System.Text.Json;

namespace Collector.Api;

/// <summary>
/// An error as RFC 9457 problem+json: <c>{"type","title","status","detail"}</c> plus the query position.
/// </summary>
public sealed class ProblemException(int status, string title, string detail, int? position = null) : Exception(detail)
{
    public int Status => status;

    public string Title => title;

    public int? Position => position;

    public static ProblemException BadRequest(string detail, int? position = null) =>
        new(StatusCodes.Status400BadRequest, "Bad request", detail, position);

    public async Task WriteAsync(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/problem+json";
        if (status == StatusCodes.Status401Unauthorized)
        {
            response.Headers.WWWAuthenticate = "Bearer";
        }

        using (var json = new Utf8JsonWriter(response.BodyWriter, ApiJson.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("type", "about:blank");
            json.WriteString("title", title);
            json.WriteNumber("status", status);
            json.WriteString("detail", Message);
            if (position is { } p)
            {
                json.WriteNumber("position", p);
            }

            json.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }
}
