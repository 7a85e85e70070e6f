namespace Collector.Relay;

// Event ids 300-399: unique within the program; LogEventIdTests finds a duplicate among all [LoggerMessage]s.
internal static partial class RelayLog
{
    [LoggerMessage(301, LogLevel.Information, "Relay {Relay} started: {Protocol} {Address}, format {Format}, filter {Filter}")]
    public static partial void Started(ILogger logger, string relay, string protocol, string address, string format, string filter);

    [LoggerMessage(302, LogLevel.Warning, "Relay {Relay}: sending to {Address} failed ({Attempt} tries so far), next try in {Delay}: {Error}")]
    public static partial void SendFailed(ILogger logger, string relay, string address, int attempt, TimeSpan delay, string error);

    [LoggerMessage(303, LogLevel.Information, "Relay {Relay}: delivering to {Address} again after {Failures} failed tries")]
    public static partial void Recovered(ILogger logger, string relay, string address, int failures);

    [LoggerMessage(304, LogLevel.Information, "Relay {Relay} stopped ({Reason}): {Sent} messages sent, {Dropped} dropped, {Left} left in its queue")]
    public static partial void Stopped(ILogger logger, string relay, string reason, long sent, long dropped, long left);

    [LoggerMessage(
        305,
        LogLevel.Warning,
        "Relay {Relay} checks the certificate chain of {Address} but not its name (spec.tls.checkServerName: false)")]
    public static partial void ServerNameNotChecked(ILogger logger, string relay, string address);

    [LoggerMessage(306, LogLevel.Warning, "Relay file {File} is invalid and ignored (the relays in force stay as they were): {Errors}")]
    public static partial void InvalidFile(ILogger logger, string file, string errors);

    [LoggerMessage(
        307,
        LogLevel.Information,
        "Relays reloaded from {Directory}: {Added} added, {Changed} changed, {Removed} removed, {Running} running")]
    public static partial void Reloaded(ILogger logger, string directory, int added, int changed, int removed, int running);

    [LoggerMessage(308, LogLevel.Warning, "Relay {Relay} could not start: {Error}")]
    public static partial void StartFailed(ILogger logger, string relay, string error);

    [LoggerMessage(309, LogLevel.Warning, "Relay directory {Directory} cannot be watched for changes ({Error}); it is read every second instead")]
    public static partial void WatchFailed(ILogger logger, string directory, string error);

    [LoggerMessage(310, LogLevel.Warning, "Relay {Relay} stopped with {Left} messages it could not deliver in time; they are {Fate}")]
    public static partial void Undelivered(ILogger logger, string relay, long left, string fate);

    [LoggerMessage(311, LogLevel.Warning, "Relay {Relay} uses deprecated keys, still read as before: {Keys}")]
    public static partial void DeprecatedKeys(ILogger logger, string relay, string keys);
}
