using Forwarder.Tailing;

namespace Forwarder.Discovery;

/// <summary>
/// Finds the files to tail: every regular file matched by an include glob and not excluded, once per real file
/// (device, inode), however many paths or links lead to it. Rescanned by the caller every second, so it never throws
/// for file-system trouble and logs each problem once while it lasts. Not thread-safe: one caller.
/// </summary>
internal sealed partial class FileScanner
{
    private readonly IReadOnlyList<GlobPattern> _include;
    private readonly IReadOnlyList<GlobPattern> _exclude;
    private readonly Func<DiscoveredFile, bool>? _isExcluded;
    private readonly ILogger _logger;
    private readonly Func<string, List<DirectoryEntry>> _readDirectory;
    private readonly ProblemMemory _unreadable = new();
    private readonly ProblemMemory _missingBases = new();
    private readonly ProblemMemory _skipped = new();
    private readonly ChainCache _chains = new();
    private readonly DirectoryListings? _listings;

    // Kept across scans (cleared at each): a rescan of a tree that did not change allocates nothing.
    private readonly HashSet<(ulong Device, ulong Inode)> _reported = [];
    private readonly List<string> _matches = [];
    private readonly HashSet<(ulong Device, ulong Inode)> _visited = [];
    private readonly Stack<string> _pending = new();

    public FileScanner(
        IReadOnlyList<GlobPattern> include,
        IReadOnlyList<GlobPattern> exclude,
        Func<DiscoveredFile, bool>? isExcluded,
        ILogger logger,
        TimeProvider? time = null)
        : this(include, exclude, isExcluded, logger, ReadDirectory)
    {
        _listings = new DirectoryListings(time ?? TimeProvider.System);
    }

    /// <summary>
    /// Tests pass <paramref name="readDirectory"/> to make a directory unreadable: root reads any directory. Such a
    /// reader is asked at every scan (no listing is reused), so what it answers takes effect at once.
    /// </summary>
    internal FileScanner(
        IReadOnlyList<GlobPattern> include,
        IReadOnlyList<GlobPattern> exclude,
        Func<DiscoveredFile, bool>? isExcluded,
        ILogger logger,
        Func<string, List<DirectoryEntry>> readDirectory)
    {
        _include = include;
        _exclude = exclude;
        _isExcluded = isExcluded;
        _logger = logger;
        _readDirectory = readDirectory;
    }

    /// <summary>
    /// One scan. A real file reached through several paths is reported once: through the first include (in order)
    /// that reaches it, and within that include through the ordinally first path.
    /// </summary>
    public IReadOnlyList<DiscoveredFile> Scan()
    {
        var found = new List<DiscoveredFile>();
        Scan(found);
        return found;
    }

    /// <summary>One scan into <paramref name="found"/> (cleared first), which the caller may reuse.</summary>
    public void Scan(List<DiscoveredFile> found)
    {
        found.Clear();
        _reported.Clear();
        foreach (var include in _include)
        {
            _matches.Clear();
            Walk(include, _matches);
            _matches.Sort(StringComparer.Ordinal);
            foreach (string path in _matches)
            {
                if (TryDiscover(path) is { } file && !IsExcluded(file) && _reported.Add((file.Status.Device, file.Status.Inode)))
                {
                    found.Add(file);
                }
            }
        }

        _matches.Clear();
        _reported.Clear();
        _unreadable.EndScan();
        _missingBases.EndScan();
        _skipped.EndScan();
        _chains.EndScan();
        _listings?.EndScan();
    }

    private DiscoveredFile? TryDiscover(string path)
    {
        if (_chains.TryGet(path) is { } known)
        {
            return known;
        }

        if (!FileStatus.TryGetNoFollow(path, out var link, out _))
        {
            return null;
        }

        string[]? chain = SymlinkChain.TryResolve(path, out string? problem);
        if (chain is null)
        {
            Skip(path, problem!);
            return null;
        }

        string real = chain[^1];
        if (!FileType.TryIsRegularFile(real, out bool isRegular, out _) || !FileStatus.TryGet(real, out var status, out _))
        {
            // Gone between reading the directory and now, or a link to nothing: the next scan will tell.
            Skip(path, chain.Length > 1 ? $"dangling symbolic link to {real}" : "vanished");
            return null;
        }

        if (!isRegular)
        {
            Skip(path, chain.Length > 1 ? $"{real} is not a regular file" : "not a regular file");
            return null;
        }

        var file = new DiscoveredFile(path, chain, status);
        _chains.Add(file, chain, link);
        return file;
    }

    private bool IsExcluded(DiscoveredFile file)
    {
        foreach (var exclude in _exclude)
        {
            foreach (string hop in file.Chain)
            {
                if (exclude.IsMatch(hop))
                {
                    return true;
                }
            }
        }

        return _isExcluded?.Invoke(file) == true;
    }

    private void Skip(string path, string problem)
    {
        if (_skipped.IsNew(path))
        {
            DiscoveryLog.Skipped(_logger, path, problem);
        }
    }
}
