namespace Forwarder.Shipping;

internal static partial class ShippingLog
{
    [LoggerMessage(1, LogLevel.Warning, "Sending to {Target} failed (attempt {Attempt}); the batch goes to {Next} in {Delay}; file reading pauses once the queue is full")]
    public static partial void SendFailed(ILogger logger, string target, int attempt, string next, TimeSpan delay, Exception? exception);

    [LoggerMessage(2, LogLevel.Information, "Shipping to {Target} again after {Failures} failed attempts")]
    public static partial void Recovered(ILogger logger, string target, int failures);

    [LoggerMessage(3, LogLevel.Warning, "Stopped with {Batches} batches ({Messages} messages) unsent; their lines are read again at the next start")]
    public static partial void StoppedUnsent(ILogger logger, int batches, long messages);
}
