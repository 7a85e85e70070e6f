namespace Collector.Relay.Queue;

// Event ids 400-499: unique within the program; LogEventIdTests finds a duplicate among all [LoggerMessage]s.
internal static partial class RelayQueueLog
{
    [LoggerMessage(
        401,
        LogLevel.Warning,
        "Relay {Relay} dropped {Messages} messages since the last report ({Total} in total): " +
        "queue full, spill failed or relay stopping")]
    public static partial void Dropped(ILogger logger, string relay, long messages, long total);

    [LoggerMessage(
        402,
        LogLevel.Warning,
        "Relay {Relay} cannot write its spill file {Path} ({Errors} failures since the last report); " +
        "chunks that do not fit in memory are dropped")]
    public static partial void SpillWriteFailed(ILogger logger, string relay, string path, int errors, Exception exception);

    [LoggerMessage(
        403,
        LogLevel.Warning,
        "Relay {Relay}: damaged record in spill segment {Path} at offset {Offset} ({Problem}); " +
        "the rest of the segment is skipped, {Messages} messages dropped")]
    public static partial void DamagedRecord(
        ILogger logger, string relay, string path, long offset, string problem, long messages, Exception? exception);

    [LoggerMessage(
        404,
        LogLevel.Warning,
        "Relay {Relay}: spill segment {Path} is damaged at offset {Offset} ({Problem}); " +
        "its last {Bytes} bytes are skipped (messages in them are not counted)")]
    public static partial void DamagedTail(ILogger logger, string relay, string path, long offset, string problem, long bytes);

    [LoggerMessage(405, LogLevel.Warning, "Relay {Relay} cannot read its spill directory {Directory}; what a previous run left there is not sent")]
    public static partial void SpillDirectoryUnreadable(ILogger logger, string relay, string directory, Exception exception);

    [LoggerMessage(406, LogLevel.Warning, "Relay {Relay} cannot read spill segment {Path}; it is left in place and not sent")]
    public static partial void SegmentUnreadable(ILogger logger, string relay, string path, Exception exception);

    [LoggerMessage(
        407,
        LogLevel.Information,
        "Relay {Relay} found {Segments} spill segments with {Messages} messages ({Bytes} bytes) in {Directory}; " +
        "they are sent first")]
    public static partial void Recovered(ILogger logger, string relay, int segments, long messages, long bytes, string directory);

    [LoggerMessage(408, LogLevel.Information, "Relay {Relay} saved {Messages} queued messages ({Chunks} chunks) to {Path} for the next start")]
    public static partial void Persisted(ILogger logger, string relay, long messages, int chunks, string path);

    [LoggerMessage(409, LogLevel.Warning, "Relay {Relay} dropped {Messages} queued messages at shutdown ({Reason})")]
    public static partial void DroppedAtShutdown(ILogger logger, string relay, long messages, string reason);

    [LoggerMessage(410, LogLevel.Information, "Relay {Relay} was removed: {Messages} queued messages and its spill segments discarded")]
    public static partial void Discarded(ILogger logger, string relay, long messages);

    [LoggerMessage(411, LogLevel.Warning, "Relay {Relay} cannot delete spill segment {Path}")]
    public static partial void DeleteFailed(ILogger logger, string relay, string path, Exception exception);

    [LoggerMessage(412, LogLevel.Error, "Relay {Relay}: unexpected error in the spill writer; the chunk is dropped")]
    public static partial void WriterFailed(ILogger logger, string relay, Exception exception);
}
