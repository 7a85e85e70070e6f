namespace Forwarder.Tailing;

/// <summary>
/// Finds a file by its identity (device, inode) in the directory it was last seen in. Kubelet and docker rotate by
/// renaming within the directory (<c>0.log</c> → <c>0.log.&lt;time&gt;</c>, <c>-json.log</c> → <c>-json.log.1</c> →
/// <c>.2</c>), so a file that is in none of its directory's entries was deleted, or its whole pod directory was.
/// </summary>
internal static class FileLocator
{
    /// <summary>
    /// The path of the file in <paramref name="directory"/> with that device and inode, or null (also when the
    /// directory is gone or unreadable).
    /// </summary>
    public static string? FindByIdentity(string? directory, FileKey key) => TryFind(directory, key, out string? found) ? found : null;

    /// <summary>
    /// Where the file is now: <paramref name="lastPath"/> when it is still there (one statx, the usual answer), another
    /// name in the same directory after a rename, or null when the file is gone from its directory. A directory that
    /// exists but cannot be listed answers <paramref name="lastPath"/>: absence is not proven.
    /// </summary>
    public static string? Locate(string lastPath, FileKey key)
    {
        if (FileStatus.TryGetNoFollow(lastPath, out var status, out _) && status.Device == key.Device && status.Inode == key.Inode)
        {
            return lastPath;
        }

        return TryFind(Path.GetDirectoryName(lastPath), key, out string? found) ? found : lastPath;
    }

    // False when the directory exists but could not be read to the end.
    private static bool TryFind(string? directory, FileKey key, out string? found)
    {
        found = null;
        if (directory is null || !Directory.Exists(directory))
        {
            return true;
        }

        try
        {
            foreach (string path in Directory.EnumerateFiles(directory))
            {
                if (FileStatus.TryGetNoFollow(path, out var status, out _) && status.Device == key.Device && status.Inode == key.Inode)
                {
                    found = path;
                    return true;
                }
            }

            return true;
        }
        catch (DirectoryNotFoundException)
        {
            // Deleted while being listed: the file went with it.
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
