namespace Forwarder;

// Event ids 290-299: unique within the program; LogEventIdTests finds a duplicate among all [LoggerMessage]s.
internal static partial class MemoryLog
{
    [LoggerMessage(
        290,
        LogLevel.Debug,
        "Idle after {AllocatedMb} MB allocated: {ReleasedKb} KB of free batches let go, aggressive collection, "
            + "GC committed {BeforeMb} → {AfterMb} MB, malloc arenas trimmed: {NativeTrimmed}, in {Milliseconds:0} ms")]
    public static partial void Trimmed(
        ILogger logger,
        long allocatedMb,
        long releasedKb,
        long beforeMb,
        long afterMb,
        bool nativeTrimmed,
        double milliseconds);
}
