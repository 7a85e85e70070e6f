namespace Forwarder.Discovery;

/// <summary>
/// Follows a path's symbolic links one hop at a time, keeping every hop: exclusions are matched against each of
/// them (<c>/var/log/containers/x.log</c> → <c>/var/log/pods/ns_pod_uid/c/0.log</c> → the docker file).
/// </summary>
internal static class SymlinkChain
{
    /// <summary>
    /// Linux's own limit (MAXSYMLINKS, path_resolution(7)); more hops than this is treated as a loop.
    /// </summary>
    public const int MaxHops = 40;

    /// <summary>
    /// The chain from <paramref name="path"/> to the first path that is not a link, or null with the reason. The last
    /// path may still not exist: the caller's stat tells a dangling link from a real file.
    /// </summary>
    public static string[]? TryResolve(string path, out string? problem)
    {
        var chain = new List<string>(4) { path };
        string current = path;
        for (int hop = 0; hop <= MaxHops; hop++)
        {
            FileSystemInfo? target;
            try
            {
                // Relative targets come back resolved against the link's directory, with '..' removed.
                target = File.ResolveLinkTarget(current, returnFinalTarget: false);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                // The previous hop points at nothing (or the file went away since the directory was read).
                problem = chain.Count > 1 ? "dangling symbolic link" : "vanished";
                return null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problem = e.Message;
                return null;
            }

            if (target is null)
            {
                problem = null;
                return [.. chain];
            }

            current = target.FullName;
            chain.Add(current);
        }

        problem = $"more than {MaxHops} symbolic links (a loop)";
        return null;
    }
}
