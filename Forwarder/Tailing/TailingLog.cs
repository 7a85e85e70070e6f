namespace Forwarder.Tailing;

// Event ids 400-499: unique within the program; LogEventIdTests finds a duplicate among all [LoggerMessage]s.
internal static partial class TailingLog
{
    [LoggerMessage(401, LogLevel.Information, "Tailing {Path} from offset {Offset} ({Reason})")]
    public static partial void Started(ILogger logger, string path, long offset, string reason);

    [LoggerMessage(402, LogLevel.Information, "Closed {Path} after shipping it to offset {Offset} (renamed away or deleted)")]
    public static partial void Closed(ILogger logger, string path, long offset);

    [LoggerMessage(403, LogLevel.Warning, "Cannot open {Path}; retrying every {RetryAfter}, other files keep flowing")]
    public static partial void OpenFailed(ILogger logger, string path, TimeSpan retryAfter, Exception exception);

    [LoggerMessage(404, LogLevel.Warning, "Reading {Path} failed; reopening in {RetryAfter}")]
    public static partial void ReadFailed(ILogger logger, string path, TimeSpan retryAfter, Exception exception);

    [LoggerMessage(405, LogLevel.Warning, "{Path} was truncated or rewritten from the start (copytruncate?): reading it again from offset 0")]
    public static partial void Truncated(ILogger logger, string path);

    [LoggerMessage(406, LogLevel.Warning, "Checkpoints in {Path} cannot be read ({Reason}); every file is read from the start")]
    public static partial void CheckpointsUnreadable(ILogger logger, string path, string reason, Exception? exception);

    [LoggerMessage(407, LogLevel.Warning, "Saving checkpoints to {Path} failed; retrying at the next interval")]
    public static partial void CheckpointSaveFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(408, LogLevel.Information, "Resuming rotated file {Path} (was {OldPath}) at offset {Offset}")]
    public static partial void ResumingRotated(ILogger logger, string path, string oldPath, long offset);

    [LoggerMessage(
        409,
        LogLevel.Warning,
        "{Path} was checkpointed at offset {Offset} but is gone; lines written to it after that offset while the " +
        "Forwarder was down are lost")]
    public static partial void CheckpointedFileGone(ILogger logger, string path, long offset);

    [LoggerMessage(
        410,
        LogLevel.Information,
        "{Path} starts with other bytes than its checkpoint (its inode was reused by a new file): reading from the " +
        "start")]
    public static partial void InodeReused(ILogger logger, string path);

    [LoggerMessage(
        412,
        LogLevel.Warning,
        "{Path} was renamed away or deleted before it could be opened; lines written to it after its checkpoint are " +
        "lost")]
    public static partial void GoneBeforeOpen(ILogger logger, string path);

    [LoggerMessage(411, LogLevel.Information, "Tailing stopped: {Lines} lines, {Bytes} bytes read; {Files} files open")]
    public static partial void Stopped(ILogger logger, long lines, long bytes, int files);
}
