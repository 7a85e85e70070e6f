namespace Forwarder.Tailing;

internal static partial class TailingLog
{
    [LoggerMessage(1, LogLevel.Information, "Tailing {Path} from offset {Offset} ({Reason})")]
    public static partial void Started(ILogger logger, string path, long offset, string reason);

    [LoggerMessage(2, LogLevel.Information, "Closed {Path} after shipping it to offset {Offset} (renamed away or deleted)")]
    public static partial void Closed(ILogger logger, string path, long offset);

    [LoggerMessage(3, LogLevel.Warning, "Cannot open {Path}; retrying every {RetryAfter}, other files keep flowing")]
    public static partial void OpenFailed(ILogger logger, string path, TimeSpan retryAfter, Exception exception);

    [LoggerMessage(4, LogLevel.Warning, "Reading {Path} failed; reopening in {RetryAfter}")]
    public static partial void ReadFailed(ILogger logger, string path, TimeSpan retryAfter, Exception exception);

    [LoggerMessage(5, LogLevel.Warning, "{Path} was truncated or rewritten from the start (copytruncate?): reading it again from offset 0")]
    public static partial void Truncated(ILogger logger, string path);

    [LoggerMessage(6, LogLevel.Warning, "Checkpoints in {Path} cannot be read ({Reason}); every file is read from the start")]
    public static partial void CheckpointsUnreadable(ILogger logger, string path, string reason, Exception? exception);

    [LoggerMessage(7, LogLevel.Warning, "Saving checkpoints to {Path} failed; retrying at the next interval")]
    public static partial void CheckpointSaveFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(8, LogLevel.Information, "Resuming rotated file {Path} (was {OldPath}) at offset {Offset}")]
    public static partial void ResumingRotated(ILogger logger, string path, string oldPath, long offset);

    [LoggerMessage(9, LogLevel.Warning, "{Path} was checkpointed at offset {Offset} but is gone; lines written to it after that offset while the Forwarder was down are lost")]
    public static partial void CheckpointedFileGone(ILogger logger, string path, long offset);

    [LoggerMessage(10, LogLevel.Information, "{Path} starts with other bytes than its checkpoint (its inode was reused by a new file): reading from the start")]
    public static partial void InodeReused(ILogger logger, string path);

    [LoggerMessage(12, LogLevel.Warning, "{Path} was renamed away or deleted before it could be opened; lines written to it after its checkpoint are lost")]
    public static partial void GoneBeforeOpen(ILogger logger, string path);

    [LoggerMessage(11, LogLevel.Information, "Tailing stopped: {Lines} lines, {Bytes} bytes read; {Files} files open")]
    public static partial void Stopped(ILogger logger, long lines, long bytes, int files);
}
