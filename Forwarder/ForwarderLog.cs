using System.Net;

namespace Forwarder;

// Event ids 200-299: unique within the program; LogEventIdTests finds a duplicate among all [LoggerMessage]s.
internal static partial class ForwarderLog
{
    [LoggerMessage(201, LogLevel.Information, "Forwarder on {Node}: tailing {Include}, shipping to {Targets}, state in {State}")]
    public static partial void Starting(ILogger logger, string node, string include, string targets, string state);

    [LoggerMessage(202, LogLevel.Information, "HTTP (healthz, metrics) on http://{Endpoint}")]
    public static partial void HttpListening(ILogger logger, IPEndPoint endpoint);

    [LoggerMessage(203, LogLevel.Information, "Forwarder stopped; offsets saved")]
    public static partial void Stopped(ILogger logger);
}
