namespace Forwarder.Shipping;

// Event ids 300-399: unique within the program; LogEventIdTests finds a duplicate among all [LoggerMessage]s.
internal static partial class ShippingLog
{
    [LoggerMessage(
        301,
        LogLevel.Warning,
        "Sending to {Target} failed (attempt {Attempt}); the batch goes to {Next} in {Delay}; file reading pauses " +
        "once the queue is full")]
    public static partial void SendFailed(ILogger logger, string target, int attempt, string next, TimeSpan delay, Exception? exception);

    [LoggerMessage(302, LogLevel.Information, "Shipping to {Target} again after {Failures} failed attempts")]
    public static partial void Recovered(ILogger logger, string target, int failures);

    [LoggerMessage(
        303,
        LogLevel.Warning,
        "Stopped with {Batches} batches ({Messages} messages) unsent; their lines are read again at the next start")]
    public static partial void StoppedUnsent(ILogger logger, int batches, long messages);
}
