using System.Security.Cryptography;

namespace Collector.Ui;

/// <summary>
/// Serves the web UI (plain HTML, CSS and JavaScript modules embedded in the assembly, so the native build carries
/// them) at <c>/</c> and <c>/ui/…</c>, without a token: the UI asks for one when the API answers 401. The content
/// security policy keeps every request on this host.
/// </summary>
public static class UiEndpoints
{
    private const string Prefix = "Collector.Ui.Static.";

    public static void Map(WebApplication app)
    {
        var files = Load();
        app.MapGet("/", context => ServeAsync(context, files, "index.html"));
        app.MapGet("/ui/{file}", context => ServeAsync(context, files, context.Request.RouteValues["file"] as string ?? string.Empty));
    }

    private static Dictionary<string, (byte[] Body, string ContentType, string ETag)> Load()
    {
        var assembly = typeof(UiEndpoints).Assembly;
        var files = new Dictionary<string, (byte[], string, string)>(StringComparer.Ordinal);
        foreach (string name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            byte[] body = buffer.ToArray();
            string file = name[Prefix.Length..];
            files[file] = (body, ContentType(file), $"\"{Convert.ToHexStringLower(SHA256.HashData(body))[..16]}\"");
        }

        return files;
    }

    private static async Task ServeAsync(HttpContext context, Dictionary<string, (byte[] Body, string ContentType, string ETag)> files, string file)
    {
        var response = context.Response;
        if (!files.TryGetValue(file, out var entry))
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        string host = context.Request.Host.Value ?? string.Empty;
        response.Headers.ContentSecurityPolicy =
            $"default-src 'self'; connect-src 'self' ws://{host} wss://{host}; img-src 'self' data:; " +
            "style-src 'self'; script-src 'self'; frame-ancestors 'none'";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.CacheControl = "no-cache";
        response.Headers.ETag = entry.ETag;
        if (context.Request.Headers.IfNoneMatch == entry.ETag)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        response.ContentType = entry.ContentType;
        response.ContentLength = entry.Body.Length;
        await response.Body.WriteAsync(entry.Body, context.RequestAborted).ConfigureAwait(false);
    }

    private static string ContentType(string file) => Path.GetExtension(file) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };
}
