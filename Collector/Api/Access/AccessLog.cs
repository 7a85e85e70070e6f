namespace Collector.Api.Access;

// Event ids 180-189 (the API's range is 100-199): unique within the program; LogEventIdTests checks.
internal static partial class AccessLog
{
    [LoggerMessage(180, LogLevel.Information, "The {Name} token was read again from {File}: the new one is in force")]
    public static partial void TokenReloaded(ILogger logger, string name, string file);

    [LoggerMessage(181, LogLevel.Warning, "Could not read the {Name} token from {File} ({Reason}); the previous one stays in force")]
    public static partial void TokenReloadFailed(ILogger logger, string name, string file, string reason);

    [LoggerMessage(182, LogLevel.Warning, "Refused {Method} {Path} from {Peer}: {Reason}")]
    public static partial void Forbidden(ILogger logger, string method, string path, string? peer, string reason);
}
