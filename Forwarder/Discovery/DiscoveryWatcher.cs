namespace Forwarder.Discovery;

/// <summary>
/// Wakes the discovery loop early when a file is created, deleted or renamed under an include's base directory, so
/// new containers are picked up in milliseconds instead of at the next periodic scan. Watching is only a shortcut:
/// where it is impossible, <see cref="WaitAsync"/> simply waits for its timeout and the caller's scan finds the files.
/// One caller at a time.
/// </summary>
internal sealed class DiscoveryWatcher : IDisposable
{
    private readonly Lock _lock = new();
    private readonly WatchedDirectory[] _directories;
    private readonly TimeProvider _timeProvider;
    private TaskCompletionSource _changed = NewSignal();
    private bool _disposed;

    public DiscoveryWatcher(IReadOnlyList<GlobPattern> include, ILogger logger, TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
        _directories = WatchPlan(include).Select(d => new WatchedDirectory(d.Path, d.Recursive, Signal, logger)).ToArray();

        // Watch from now on: what appears before the first wait is then not missed by the caller's next scan either.
        foreach (var directory in _directories)
        {
            directory.Refresh();
        }
    }

    /// <summary>Every base directory is watched (for metrics and health).</summary>
    public bool IsWatching => _directories.All(d => d.IsWatching);

    /// <summary>
    /// Completes when a create, delete or rename happened under an include's base directory since the last call, or
    /// after <paramref name="timeout"/>. Directories that could not be watched (e.g. not created yet) are retried here.
    /// True when a change was seen: the caller should scan now rather than at its next interval.
    /// <paramref name="wake"/> ends the wait early too (the tailing loop's "a batch was delivered").
    /// </summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken, Task? wake = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (var directory in _directories)
        {
            if (directory.Refresh())
            {
                Signal();
            }
        }

        Task changed;
        lock (_lock)
        {
            changed = _changed.Task;
        }

        if (!changed.IsCompleted)
        {
            using var stopDelay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(timeout, _timeProvider, stopDelay.Token);
            await (wake is null ? Task.WhenAny(changed, delay) : Task.WhenAny(changed, delay, wake)).ConfigureAwait(false);
            await stopDelay.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }

        // Changes up to here are seen by the scan the caller runs next; later ones complete the new signal.
        lock (_lock)
        {
            if (_changed.Task.IsCompleted)
            {
                _changed = NewSignal();
                return true;
            }
        }

        return false;
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (var directory in _directories)
        {
            directory.Dispose();
        }
    }

    /// <summary>
    /// One watch per distinct base directory, recursive when some include matches below its direct children; a base
    /// directory inside a recursively watched one needs no watch of its own.
    /// </summary>
    internal static List<(string Path, bool Recursive)> WatchPlan(IReadOnlyList<GlobPattern> include)
    {
        var plan = include
            .GroupBy(p => p.BaseDirectory, StringComparer.Ordinal)
            .Select(g => (Path: g.Key, Recursive: g.Any(p => !p.MatchesOnlyInBaseDirectory)))
            .ToList();
        return plan
            .Where(d => !plan.Any(other => other.Recursive && IsBelow(d.Path, other.Path)))
            .ToList();
    }

    private static bool IsBelow(string path, string directory) =>
        path.Length > directory.Length
        && path.StartsWith(directory, StringComparison.Ordinal)
        && (directory == "/" || path[directory.Length] == '/');

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Signal()
    {
        lock (_lock)
        {
            _changed.TrySetResult();
        }
    }
}
