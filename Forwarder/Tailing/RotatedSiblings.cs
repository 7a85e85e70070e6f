namespace Forwarder.Tailing;

/// <summary>
/// Finds generations of a log file that were rotated away before anyone saw them: kubelet renames <c>0.log</c> to
/// <c>0.log.&lt;timestamp&gt;</c> and docker <c>&lt;id&gt;-json.log</c> to <c>&lt;id&gt;-json.log.1</c>, next to the
/// live file. When two rotations happen between two scans (or while the Forwarder is down), the middle file was never
/// at the watched path. Such a file was written after the last file we knew started, so its modification time is later
/// than that; older generations (rotated before we started) are earlier and are left alone. Compressed ones are
/// skipped: they are copies of files that were plain before.
/// </summary>
internal static class RotatedSiblings
{
    private static readonly EnumerationOptions SiblingMatch = new() { MatchType = MatchType.Simple, AttributesToSkip = 0 };

    /// <summary>
    /// The generations modified after <paramref name="modifiedAfterUtc"/> (and before
    /// <paramref name="modifiedBeforeUtc"/> when given) that <paramref name="isKnown"/> (given key and path) does not
    /// know, oldest first.
    /// </summary>
    public static List<(string Path, FileStatus Status)> Find(
        string livePath,
        DateTime modifiedAfterUtc,
        DateTime? modifiedBeforeUtc,
        Func<FileKey, string, bool> isKnown)
    {
        var found = new List<(string Path, FileStatus Status, DateTime Modified)>();
        string? directory = Path.GetDirectoryName(livePath);
        string prefix = Path.GetFileName(livePath) + ".";
        if (directory is null)
        {
            return [];
        }

        try
        {
            // Simple matching: the default (Windows' rules, also on Linux) lets "0.log.*" match "0.log" itself, and the
            // live file taken for a missed generation was closed as rotated while still written to (chaos run).
            foreach (var entry in new DirectoryInfo(directory).EnumerateFiles(prefix + "*", SiblingMatch))
            {
                if (entry.LinkTarget is not null
                    || entry.Name.EndsWith(".gz", StringComparison.Ordinal)
                    || entry.LastWriteTimeUtc <= modifiedAfterUtc
                    || entry.LastWriteTimeUtc >= modifiedBeforeUtc)
                {
                    continue;
                }

                if (FileStatus.TryGetNoFollow(entry.FullName, out var status, out _)
                    && !isKnown(new FileKey(status.Device, status.Inode), entry.FullName))
                {
                    found.Add((entry.FullName, status, entry.LastWriteTimeUtc));
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }

        return found.OrderBy(f => f.Modified).Select(f => (f.Path, f.Status)).ToList();
    }
}
