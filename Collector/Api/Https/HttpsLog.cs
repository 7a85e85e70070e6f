using System.Net;

namespace Collector.Api.Https;

// Event ids 190-199 (the API's range is 100-199): unique within the program; LogEventIdTests checks.
internal static partial class HttpsLog
{
    [LoggerMessage(190, LogLevel.Information, "Serving the search and tail API, the UI, /healthz, /readyz and /metrics on https://{EndPoint}")]
    public static partial void HttpsListening(ILogger logger, EndPoint endPoint);
}
