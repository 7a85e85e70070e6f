using Forwarder.Tailing;

namespace Forwarder.Discovery;

/// <summary>
/// The inotify watches (through <see cref="FileSystemWatcher"/>) for one include's base directory: one on the
/// directory for names created, deleted or renamed inside it, and one on its parent for the directory itself, because
/// a watch follows an inode and goes silently deaf when its directory is deleted (ext4 may even give the re-created
/// directory the same inode number). Starting can fail (the directory is missing or not a directory, the inotify
/// limits are reached); it is retried at every <see cref="Refresh"/> and the failure logged once until a start
/// succeeds. .NET 10 shares one inotify instance between watchers (dotnet/runtime#117148), so two watches cost no
/// extra instance.
/// </summary>
internal sealed class WatchedDirectory : IDisposable
{
    private readonly string? _parent;
    private readonly string _name;
    private readonly bool _recursive;
    private readonly Action _changed;
    private readonly ILogger _logger;
    private FileSystemWatcher? _watcher;
    private FileSystemWatcher? _parentWatcher;
    private FileStatus _watchedIdentity;
    private bool _failureLogged;
    private volatile bool _replaced;
    private volatile bool _degraded;

    public WatchedDirectory(string path, bool recursive, Action changed, ILogger logger)
    {
        Path = path;
        _parent = System.IO.Path.GetDirectoryName(path);
        _name = System.IO.Path.GetFileName(path);
        _recursive = recursive;
        _changed = changed;
        _logger = logger;
    }

    public string Path { get; }

    /// <summary>Watching, and no error since (a failed watch on a new subdirectory leaves it partly blind).</summary>
    public bool IsWatching => _watcher is not null && !_degraded;

    /// <summary>
    /// Starts the watch if there is none, or restarts it when the directory was removed or replaced. True when a watch
    /// started after a failure or a replacement: files may have appeared while nothing watched.
    /// </summary>
    public bool Refresh()
    {
        _parentWatcher ??= TryWatchParent();
        bool exists = FileStatus.TryGet(Path, out var identity, out _);
        if (_watcher is not null)
        {
            if (exists && !_replaced && identity.IsSameFileAs(_watchedIdentity))
            {
                return false;
            }

            _watcher.Dispose();
            _watcher = null;
        }

        _replaced = false;
        if (!exists)
        {
            LogFailure("it does not exist", null);
            return false;
        }

        try
        {
            _watcher = Watch(Path, filter: null, _recursive, OnChanged);
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            // IOException: "The configured user limit (128) on the number of inotify instances has been reached";
            // ArgumentException: the path is not a directory.
            LogFailure(e.Message, e);
            return false;
        }

        _watchedIdentity = identity;
        _degraded = false;
        if (_failureLogged)
        {
            _failureLogged = false;
            DiscoveryLog.WatchRecovered(_logger, Path);
        }

        return true;
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _parentWatcher?.Dispose();
    }

    private FileSystemWatcher Watch(string path, string? filter, bool recursive, FileSystemEventHandler handler)
    {
        // Names only: no IN_MODIFY, so the watch stays quiet however fast the log files below it grow.
        var watcher = new FileSystemWatcher(path)
        {
            IncludeSubdirectories = recursive,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName,
        };
        if (filter is not null)
        {
            watcher.Filter = filter;
        }

        watcher.Created += handler;
        watcher.Deleted += handler;
        watcher.Renamed += (sender, e) => handler(sender, e);
        watcher.Error += OnError;
        try
        {
            watcher.EnableRaisingEvents = true;
        }
        catch
        {
            watcher.Dispose();
            throw;
        }

        return watcher;
    }

    /// <summary>Best effort: without it a replaced directory is noticed only when its inode number changes.</summary>
    private FileSystemWatcher? TryWatchParent()
    {
        if (_parent is null || !Directory.Exists(_parent))
        {
            return null;
        }

        try
        {
            return Watch(_parent, _name, recursive: false, OnParentChanged);
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            return null;
        }
    }

    private void OnChanged(object sender, FileSystemEventArgs e) => _changed();

    private void OnParentChanged(object sender, FileSystemEventArgs e)
    {
        // The base directory itself was created, deleted or renamed: the next Refresh (re)starts its watch.
        _replaced = true;
        _changed();
    }

    private void OnError(object sender, ErrorEventArgs e)
    {
        var exception = e.GetException();
        if (exception is InternalBufferOverflowException)
        {
            // Events were lost, not the watch: a rescan catches up.
            DiscoveryLog.WatchOverflow(_logger, Path);
        }
        else if (!_degraded)
        {
            // E.g. the inotify watch limit reached for a new subdirectory: the rest is still watched,
            // polling covers it.
            _degraded = true;
            DiscoveryLog.WatchError(_logger, Path, exception);
        }

        _changed();
    }

    private void LogFailure(string reason, Exception? exception)
    {
        if (!_failureLogged)
        {
            _failureLogged = true;
            DiscoveryLog.WatchFailed(_logger, Path, reason, exception);
        }
    }
}
