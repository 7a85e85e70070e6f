using System.Net;

namespace Collector.Ingest.Tls;

// Event ids 240-259, inside Ingest's 200-299; LogEventIdTests finds a duplicate among all [LoggerMessage]s.
internal static partial class TlsLog
{
    [LoggerMessage(
        240,
        LogLevel.Warning,
        "TLS connection {ConnectionId} from {Peer} on {Listener} closed: {Reason}: {Detail} ({Suppressed} more for this " +
        "reason since the last report)")]
    public static partial void Refused(
        ILogger logger, string connectionId, string? peer, string listener, string reason, string detail, long suppressed);

    [LoggerMessage(241, LogLevel.Debug, "TLS connection {ConnectionId} from {Peer} closed before its handshake")]
    public static partial void ClosedBeforeHandshake(ILogger logger, string connectionId, string? peer);

    [LoggerMessage(242, LogLevel.Debug, "TLS connection {ConnectionId} from {Peer}: {Protocol}, client {Client}")]
    public static partial void Established(ILogger logger, string connectionId, string? peer, string protocol, string client);

    [LoggerMessage(
        243,
        LogLevel.Warning,
        "TLS connection {ConnectionId} from {Peer} closed: the TLS stream broke after the handshake: {Detail} ({Suppressed} " +
        "more since the last report)")]
    public static partial void StreamBroken(ILogger logger, string connectionId, string? peer, string detail, long suppressed);

    [LoggerMessage(244, LogLevel.Information, "TLS certificate loaded from {Certificate}: {Subject}, valid until {NotAfter:u}")]
    public static partial void CertificateLoaded(ILogger logger, string certificate, string subject, DateTime notAfter);

    [LoggerMessage(
        245,
        LogLevel.Error,
        "TLS certificate {Certificate} and key {Key} changed, but the new pair is refused: {Reason}; new connections still " +
        "get the previous certificate ({Subject}, valid until {NotAfter:u})")]
    public static partial void ReloadRefused(ILogger logger, string certificate, string key, string reason, string subject, DateTime notAfter);

    [LoggerMessage(246, LogLevel.Information, "Receiving syslog over TLS on tcp://{EndPoint} (client certificates: {ClientAuth})")]
    public static partial void TlsListening(ILogger logger, EndPoint endPoint, string clientAuth);

    [LoggerMessage(247, LogLevel.Information, "Receiving RELP over TLS on tcp://{EndPoint} (client certificates: {ClientAuth})")]
    public static partial void RelpTlsListening(ILogger logger, EndPoint endPoint, string clientAuth);

    [LoggerMessage(
        248,
        LogLevel.Warning,
        "Connection {ConnectionId} from {Peer} sent {Claimed} as HOSTNAME, but its certificate names {Node}: {Action} " +
        "({Suppressed} more from this node since the last report)")]
    public static partial void IdentityMismatch(
        ILogger logger, string connectionId, string? peer, string claimed, string node, string action, long suppressed);

    [LoggerMessage(
        249,
        LogLevel.Warning,
        "Connection {ConnectionId} from {Peer} on the plain TCP port closed: it sent a TLS ClientHello (point TLS " +
        "senders at --tls) ({Suppressed} more since the last report)")]
    public static partial void TlsOnPlainPort(ILogger logger, string connectionId, string? peer, long suppressed);
}
