using System.IO.Enumeration;
using Forwarder.Tailing;

namespace Forwarder.Discovery;

internal sealed partial class FileScanner
{
    private static readonly EnumerationOptions OneDirectory = new()
    {
        RecurseSubdirectories = false,
        IgnoreInaccessible = false,
        AttributesToSkip = 0,
        ReturnSpecialDirectories = false,
    };

    /// <summary>
    /// Collects the paths <paramref name="include"/> matches, walking from its base directory and descending only where
    /// a match is still possible. Directory links are followed; the (device, inode) of each directory visited
    /// stops loops.
    /// </summary>
    private void Walk(GlobPattern include, List<string> matches)
    {
        string root = include.BaseDirectory;
        if (!Directory.Exists(root))
        {
            if (_missingBases.IsNew(root))
            {
                DiscoveryLog.BaseDirectoryMissing(_logger, root, include.Pattern);
            }

            return;
        }

        var visited = _visited;
        var pending = _pending;
        visited.Clear();
        pending.Clear();
        pending.Push(root);
        while (pending.TryPop(out string? directory))
        {
            if (!FileStatus.TryGet(directory, out var status, out _))
            {
                continue;
            }

            if (!visited.Add((status.Device, status.Inode)))
            {
                if (_skipped.IsNew(directory))
                {
                    DiscoveryLog.DirectoryVisited(_logger, directory);
                }

                continue;
            }

            foreach (var entry in Read(directory, include))
            {
                if (entry.IsDirectory)
                {
                    if (include.CouldMatchBelow(entry.Path))
                    {
                        pending.Push(entry.Path);
                    }
                }
                else if (include.IsMatch(entry.Path))
                {
                    matches.Add(entry.Path);
                }
            }
        }
    }

    private List<DirectoryEntry> Read(string directory, GlobPattern include)
    {
        try
        {
            var entries = _listings is null ? _readDirectory(directory) : _listings.Get(directory, _readDirectory);
            if (_unreadable.IsResolved(directory))
            {
                DiscoveryLog.DirectoryReadableAgain(_logger, directory);
            }

            return entries;
        }
        catch (DirectoryNotFoundException)
        {
            // Removed since its parent was read (a pod went away): nothing to report.
            return [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (_unreadable.IsNew(directory))
            {
                DiscoveryLog.DirectoryUnreadable(_logger, directory, include.Pattern, e);
            }

            return [];
        }
    }

    /// <summary>
    /// One directory's entries; <see cref="DirectoryEntry.IsDirectory"/> follows links, as stat(2) does.
    /// </summary>
    internal static List<DirectoryEntry> ReadDirectory(string directory)
    {
        var entries = new FileSystemEnumerable<DirectoryEntry>(
            directory,
            (ref FileSystemEntry entry) => new DirectoryEntry(entry.ToFullPath(), entry.IsDirectory),
            OneDirectory);
        return [.. entries];
    }

    internal readonly record struct DirectoryEntry(string Path, bool IsDirectory);
}
