using System.Net;

namespace Forwarder;

internal static partial class ForwarderLog
{
    [LoggerMessage(1, LogLevel.Information, "Forwarder on {Node}: tailing {Include}, shipping to {Targets}, state in {State}")]
    public static partial void Starting(ILogger logger, string node, string include, string targets, string state);

    [LoggerMessage(2, LogLevel.Information, "HTTP (healthz, metrics) on http://{Endpoint}")]
    public static partial void HttpListening(ILogger logger, IPEndPoint endpoint);

    [LoggerMessage(3, LogLevel.Information, "Forwarder stopped; offsets saved")]
    public static partial void Stopped(ILogger logger);
}
