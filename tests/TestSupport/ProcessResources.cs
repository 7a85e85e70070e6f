using System.Globalization;

namespace TestSupport;

/// <summary>
/// What a process holds, read from /proc the way an operator would: resident memory, open descriptors, inotify watches
/// (the <c>inotify wd:</c> lines in /proc/PID/fdinfo of its inotify descriptors) and threads.
/// </summary>
public readonly record struct ProcessResources(long ResidentBytes, int Descriptors, int InotifyWatches, int Threads)
{
    public static ProcessResources Of(int pid)
    {
        long rss = 0;
        int threads = 0;
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.Parse(line.Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
        }

        int descriptors = 0, watches = 0;
        foreach (string fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
        {
            descriptors++;
            try
            {
                if (new FileInfo(fd).LinkTarget == "anon_inode:inotify")
                {
                    watches += File.ReadLines($"/proc/{pid}/fdinfo/{Path.GetFileName(fd)}")
                        .Count(l => l.StartsWith("inotify wd:", StringComparison.Ordinal));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Closed between listing and reading: it no longer counts.
            }
        }

        return new ProcessResources(rss, descriptors, watches, threads);
    }

    /// <summary>Descriptors of <paramref name="pid"/> open on files under <paramref name="root"/>.</summary>
    public static int DescriptorsUnder(int pid, string root)
    {
        int count = 0;
        foreach (string fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith(root, StringComparison.Ordinal))
                {
                    count++;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Closed between listing and reading: not held.
            }
        }

        return count;
    }

    public override string ToString()
    {
        double megabytes = ResidentBytes / (1024.0 * 1024);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"RSS {megabytes:0.0} MB, {Descriptors} fds, {InotifyWatches} inotify watches, {Threads} threads");
    }
}
