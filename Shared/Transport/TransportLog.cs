using System.Net;
using Microsoft.Extensions.Logging;

namespace Shared.Transport;

// Event ids 900-999: Shared's, used by both programs; LogEventIdTests finds a duplicate among all [LoggerMessage]s.
internal static partial class TransportLog
{
    [LoggerMessage(901, LogLevel.Information, "Connected to {Endpoint} at {RemoteEndPoint}")]
    public static partial void Connected(ILogger logger, string endpoint, EndPoint? remoteEndPoint);

    [LoggerMessage(902, LogLevel.Information, "{Endpoint} closed the connection; reconnecting before the next write")]
    public static partial void ClosedByPeer(ILogger logger, string endpoint);

    [LoggerMessage(903, LogLevel.Warning, "Sending to {Endpoint} failed (attempt {Attempt}); resending the batch of {Bytes} bytes in {Delay}")]
    public static partial void Retrying(ILogger logger, string endpoint, int attempt, long bytes, TimeSpan delay, Exception? exception);

    [LoggerMessage(904, LogLevel.Warning, "UDP send to {Endpoint} failed; {Failures} messages lost since the last report")]
    public static partial void DatagramFailed(ILogger logger, string endpoint, long failures, Exception exception);

    [LoggerMessage(
        905,
        LogLevel.Warning,
        "{Truncated} messages to {Endpoint} were longer than {MaxDatagramSize} bytes and were truncated since the " +
        "last report")]
    public static partial void DatagramsTruncated(ILogger logger, string endpoint, long truncated, int maxDatagramSize);

    [LoggerMessage(906, LogLevel.Information, "RELP session open with {Endpoint} at {RemoteEndPoint} (server {Software}, window {Window})")]
    public static partial void RelpOpened(ILogger logger, string endpoint, EndPoint? remoteEndPoint, string software, int window);

    [LoggerMessage(907, LogLevel.Warning, "Sending to {Endpoint} failed (attempt {Attempt}); the unanswered messages are sent again in {Delay}")]
    public static partial void RelpRetrying(ILogger logger, string endpoint, int attempt, TimeSpan delay, Exception? exception);

    [LoggerMessage(
        908,
        LogLevel.Warning,
        "{Endpoint} refused {Refused} messages since the last report (latest answer: {Answer}); they are counted and " +
        "not sent again. Latest: {Preview}")]
    public static partial void RelpRefused(ILogger logger, string endpoint, long refused, string answer, string preview);

    [LoggerMessage(
        909,
        LogLevel.Warning,
        "{Endpoint} answered none of {Unanswered} messages for {Timeout}; giving up the session, they are sent again " +
        "on a new one")]
    public static partial void RelpStalled(ILogger logger, string endpoint, int unanswered, TimeSpan timeout);

    [LoggerMessage(
        910,
        LogLevel.Information,
        "TLS files for {Endpoint} changed; new connections use them (client certificate {Subject}, valid until " +
        "{NotAfter}; {Authorities} trusted CAs from the CA file)")]
    public static partial void TlsFilesReloaded(ILogger logger, string endpoint, string subject, DateTime? notAfter, int authorities);

    [LoggerMessage(
        911,
        LogLevel.Error,
        "The changed TLS files for {Endpoint} (CA {CaFile}, certificate {CertificateFile}, key {KeyFile}) cannot be " +
        "used: {Reason}. The files loaded before stay in use until a good set appears")]
    public static partial void TlsFilesRefused(
        ILogger logger,
        string endpoint,
        string? caFile,
        string? certificateFile,
        string? keyFile,
        string reason);
}
