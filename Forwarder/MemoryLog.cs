namespace Forwarder;

// Event ids 290-299: unique within the program; LogEventIdTests finds a duplicate among all [LoggerMessage]s.
internal static partial class MemoryLog
{
    [LoggerMessage(
        290,
        LogLevel.Debug,
        "Idle after {AllocatedMb} MB allocated: aggressive collection, GC committed {BeforeMb} → {AfterMb} MB in {Milliseconds:0} ms")]
    public static partial void Trimmed(ILogger logger, long allocatedMb, long beforeMb, long afterMb, double milliseconds);
}
