using System.Net;

namespace Collector.Ingest;

// Event ids 200-299: unique within the program; LogEventIdTests finds a duplicate among all [LoggerMessage]s.
internal static partial class IngestLog
{
    [LoggerMessage(201, LogLevel.Debug, "Connection {ConnectionId} from {Peer} opened")]
    public static partial void ConnectionOpened(ILogger logger, string connectionId, string? peer);

    [LoggerMessage(202, LogLevel.Debug, "Connection {ConnectionId} ended: {Ending}")]
    public static partial void ConnectionClosed(ILogger logger, string connectionId, string ending);

    [LoggerMessage(203, LogLevel.Warning, "Connection {ConnectionId} from {Peer} closed: its stream cannot be framed ({Error})")]
    public static partial void FramingLost(ILogger logger, string connectionId, string? peer, string error);

    [LoggerMessage(204, LogLevel.Warning, "Connection {ConnectionId} failed")]
    public static partial void ConnectionFailed(ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(205, LogLevel.Warning, "Connection limit {Limit} reached: new connections are closed at once ({Rejected} so far)")]
    public static partial void ConnectionLimitReached(ILogger logger, int limit, long rejected);

    [LoggerMessage(206, LogLevel.Debug, "Connection {ConnectionId} from {Peer} closed after {IdleTimeout} without data")]
    public static partial void IdleConnectionClosed(ILogger logger, string connectionId, string? peer, TimeSpan idleTimeout);

    [LoggerMessage(207, LogLevel.Information, "Receiving syslog on tcp://{EndPoint}")]
    public static partial void TcpListening(ILogger logger, EndPoint endPoint);

    [LoggerMessage(208, LogLevel.Information, "Receiving syslog on udp://{EndPoint} (receive buffer {Buffer} bytes)")]
    public static partial void UdpListening(ILogger logger, EndPoint endPoint, int buffer);

    [LoggerMessage(
        209,
        LogLevel.Warning,
        "UDP receive buffer is {Actual} bytes, less than the {Requested} asked for: raise net.core.rmem_max or run " +
        "with CAP_NET_ADMIN, or expect drops in bursts")]
    public static partial void UdpBufferClamped(ILogger logger, int actual, long requested);

    [LoggerMessage(210, LogLevel.Error, "UDP receive loop failed; restarting it")]
    public static partial void UdpReceiveFailed(ILogger logger, Exception exception);

    [LoggerMessage(
        211,
        LogLevel.Warning,
        "UDP socket dropped {Drops} datagrams in the last interval ({Total} in total): the receive buffer overflowed")]
    public static partial void UdpDropped(ILogger logger, long drops, long total);

    [LoggerMessage(212, LogLevel.Information, "Serving the search and tail API, /healthz, /readyz and /metrics on http://{EndPoint}")]
    public static partial void HttpListening(ILogger logger, EndPoint endPoint);

    [LoggerMessage(213, LogLevel.Information, "Stopping: no new connections; storing what was read, then draining the queue")]
    public static partial void Stopping(ILogger logger);

    [LoggerMessage(214, LogLevel.Information, "Receiving RELP on tcp://{EndPoint} (acknowledged after {AckAfter})")]
    public static partial void RelpListening(ILogger logger, EndPoint endPoint, string ackAfter);

    [LoggerMessage(215, LogLevel.Warning, "RELP session {ConnectionId} from {Peer} closed: {Reason}")]
    public static partial void RelpProtocolError(ILogger logger, string connectionId, string? peer, string reason);

    [LoggerMessage(
        216,
        LogLevel.Warning,
        "RELP session {ConnectionId} from {Peer}: message of {Length} bytes over the limit of {Limit} answered 500 " +
        "({Total} so far)")]
    public static partial void RelpOversize(ILogger logger, string connectionId, string? peer, int length, int limit, long total);

    [LoggerMessage(217, LogLevel.Debug, "RELP session {ConnectionId} opened by {Software}; commands offered: {Commands}")]
    public static partial void RelpOpened(ILogger logger, string connectionId, string software, string commands);

    [LoggerMessage(218, LogLevel.Warning, "RELP session {ConnectionId} from {Peer}: open refused: {Reason}")]
    public static partial void RelpOpenRefused(ILogger logger, string connectionId, string? peer, string reason);
}
