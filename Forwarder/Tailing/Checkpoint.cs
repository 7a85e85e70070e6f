namespace Forwarder.Tailing;

/// <summary>
/// How far one file was shipped: every line before <see cref="Offset"/> was written to a collector's socket. The
/// file is known by device, inode and fingerprint; the paths are where it was last seen (to find it after a rotation).
/// <see cref="DoneAt"/> (Unix seconds) marks a file that was drained and closed: it is remembered for a while so that
/// the same file seen again (e.g. by a wider glob) is not shipped twice. <see cref="Since"/> (Unix milliseconds) is
/// when the file was first seen: its later generations were all written after that, which finds them after a restart
/// even when this file itself is gone (null in checkpoints written before it was kept). <see cref="Source"/> is the
/// origin id its messages carry (docs/sources.md), so that a file deleted before it was read to its end can be reported
/// as a gap in that source (null before its first message, and in checkpoints written before it was kept).
/// </summary>
internal sealed record Checkpoint(
    ulong Device,
    ulong Inode,
    int FingerprintLength,
    ulong Fingerprint,
    long Offset,
    string Path,
    string RealPath,
    long? DoneAt = null,
    long? Since = null,
    string? Source = null);
