using Collector.Configuration;
using Collector.Relay.Configuration;
using Collector.Relay.Queue;

namespace Collector.Relay;

/// <summary>
/// Keeps the running relays equal to what the relay directory says. It reads the directory when it changes
/// (inotify, which also sees the <c>..data</c> symlink swap of a ConfigMap update), every second anyway, and at once
/// when the API asks; then applies the difference: added relays start, removed ones drain and stop, changed ones
/// restart alone, taking over their predecessor's queue. The new set is published to ingest as one array, so
/// ingest and the other relays never pause. Invalid files are reported and ignored (see <see cref="RelayDirectory"/>).
/// </summary>
public sealed class RelayManager(CollectorOptions options, RelayFanout fanout, TimeProvider time, ILoggerFactory loggers) : BackgroundService
{
    /// <summary>A removed relay may send what it holds for this long before the rest is dropped.</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// At shutdown every relay may send for this long before its queue is persisted (spill) or dropped.
    /// </summary>
    public static readonly TimeSpan ShutdownDrain = TimeSpan.FromSeconds(3);

    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan StartRetryInterval = TimeSpan.FromSeconds(30);

    private readonly ILogger _logger = loggers.CreateLogger<RelayManager>();
    private readonly RelayDirectory? _directory = options.Relays is { } path ? new RelayDirectory(path) : null;
    private readonly string _spillRoot = options.RelaySpill
        ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(options.File)) ?? ".", "relay-spill");
    private readonly Dictionary<string, RelayTarget> _running = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (RelayTarget Relay, Task Drain)> _draining = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _startErrors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (RelayDefinition Definition, DateTimeOffset At)> _failedDefinitions = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Lock _lock = new();
    private RelaySet _set = RelaySet.Empty;
    private TaskCompletionSource _applied = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private HashSet<string> _reportedInvalid = [];
    private long _reloads;

    public RelayDirectory? Directory => _directory;

    /// <summary>Directory reads that changed the running relays.</summary>
    public long Reloads => Interlocked.Read(ref _reloads);

    /// <summary>The relays in force and the rejected files, as of the last read of the directory.</summary>
    public (IReadOnlyList<RelayTarget> Relays, RelaySet Set) Snapshot()
    {
        lock (_lock)
        {
            // A relay whose document is valid but that could not start (say, a certificate file without a certificate)
            // is reported with the rejected files, under its file's name.
            var set = _startErrors.Count == 0 ? _set : _set with
            {
                Invalid =
                [
                    .. _set.Invalid,
                    .. _startErrors.Select(e => new InvalidRelayFile(
                        Path.GetFileName(_set.Files.GetValueOrDefault(e.Key, e.Key)), [$"could not start: {e.Value}"])),
                ],
            };
            return (_running.Values.OrderBy(r => r.Name, StringComparer.Ordinal).ToList(), set);
        }
    }

    /// <summary>
    /// Reads the directory now and returns once the result is applied (the API calls this after a write).
    /// </summary>
    public Task ReloadAsync(CancellationToken cancellationToken)
    {
        Task applied;
        lock (_lock)
        {
            applied = _applied.Task;
        }

        _wake.Release();
        return applied.WaitAsync(cancellationToken);
    }

    /// <summary>The relays configured at start run before any listener accepts, so they see every message.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_directory is not null)
        {
            await ApplyAsync(_directory.Scan()).ConfigureAwait(false);
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        fanout.Publish([]);
        List<RelayTarget> relays;
        lock (_lock)
        {
            relays = [.. _running.Values];
            _running.Clear();
        }

        // Each relay gets the same short chance to deliver, in parallel; then spill or count what is left.
        await Task.WhenAll(relays.Select(async relay =>
        {
            await relay.ShutdownAsync(ShutdownDrain).ConfigureAwait(false);
            await relay.DisposeAsync().ConfigureAwait(false);
        })).ConfigureAwait(false);
        await Task.WhenAll(_draining.Values.Select(d => d.Drain)).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_directory is null)
        {
            _applied.TrySetResult();
            return;
        }

        using var watcher = Watch(_directory.Path);
        while (!stoppingToken.IsCancellationRequested)
        {
            TaskCompletionSource applied;
            lock (_lock)
            {
                applied = _applied;
                _applied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            try
            {
                await ApplyAsync(_directory.Scan()).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // One bad reload must not end relaying: it is logged and the next read tries again.
            catch (Exception e)
#pragma warning restore CA1031
            {
                RelayLog.StartFailed(_logger, "(reload)", e.ToString());
            }

            applied.TrySetResult();
            try
            {
                await _wake.WaitAsync(PollInterval, stoppingToken).ConfigureAwait(false);

                // Editors and kubelet write in several steps: let them finish before reading.
                await Task.Delay(TimeSpan.FromMilliseconds(50), time, stoppingToken).ConfigureAwait(false);
                while (_wake.CurrentCount > 0)
                {
                    await _wake.WaitAsync(stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
        }
    }

    private async Task ApplyAsync(RelaySet set)
    {
        ReportInvalid(set);
        List<string> removed, added, changed;
        lock (_lock)
        {
            _set = set;
            foreach (string gone in _startErrors.Keys.Where(n => !set.Relays.ContainsKey(n)).ToList())
            {
                _startErrors.Remove(gone);
                _failedDefinitions.Remove(gone);
            }

            removed = _running.Keys.Where(n => !set.Relays.ContainsKey(n)).ToList();
            // A relay that failed to start is tried again when its definition changes, or after a while (a certificate
            // file may be fixed without the document changing).
            var now = time.GetUtcNow();
            added = set.Relays.Keys.Where(n => !_running.ContainsKey(n)
                && !(_failedDefinitions.TryGetValue(n, out var failed)
                    && failed.Definition == set.Relays[n]
                    && now - failed.At < StartRetryInterval)).ToList();
            changed = set.Relays.Where(p => _running.TryGetValue(p.Key, out var r) && r.Definition != p.Value).Select(p => p.Key).ToList();
        }

        if (removed.Count + added.Count + changed.Count == 0)
        {
            return;
        }

        foreach (string name in removed)
        {
            RelayTarget relay;
            lock (_lock)
            {
                relay = _running[name];
                _running.Remove(name);
            }

            Publish();
            _draining[name] = (relay, DrainAsync(relay));
        }

        foreach (string name in added)
        {
            if (_draining.Remove(name, out var draining))
            {
                // Re-added while its predecessor drains: they would share the spill directory, and waiting out its
                // grace (10 s against a dead target) would hold up this reload and every change after it.
                draining.Relay.CutDrainShort();
                await draining.Drain.ConfigureAwait(false);
            }

            TryStart(set.Relays[name], null, null);
        }

        foreach (string name in changed)
        {
            await RestartAsync(name, set.Relays[name]).ConfigureAwait(false);
        }

        Interlocked.Increment(ref _reloads);
        RelayLog.Reloaded(_logger, _directory!.Path, added.Count, changed.Count, removed.Count, _running.Count);
    }

    /// <summary>
    /// A changed relay. With the same format and queue settings the new one takes the old queue object as it is.
    /// Otherwise the old queue is emptied into the new one: persisted to the spill directory first (which the new queue
    /// reads at start) when it spills, else moved chunk by chunk in memory. Nothing already queued is lost either way.
    /// </summary>
    private async Task RestartAsync(string name, RelayDefinition definition)
    {
        RelayTarget old;
        lock (_lock)
        {
            old = _running[name];
        }

        var carried = await old.HandOverAsync().ConfigureAwait(false);
        var previous = old.Definition;
        bool sameQueue = previous.Format == definition.Format && previous.QueueBytes == definition.QueueBytes
            && previous.Spill == definition.Spill && previous.SpillBytes == definition.SpillBytes;
        if (sameQueue)
        {
            TryStart(definition, old.Queue, carried, old.Sent);
        }
        else
        {
            var moved = new List<RelayChunk>();
            old.Queue.Complete();
            if (previous.Spill)
            {
                await old.Queue.PersistAsync(carried).ConfigureAwait(false);
            }
            else
            {
                if (carried is not null)
                {
                    moved.Add(carried);
                }

                while (old.Queue.QueuedMessages > 0 && await old.Queue.TakeAsync(CancellationToken.None).ConfigureAwait(false) is { } chunk)
                {
                    moved.Add(chunk);
                }
            }

            await old.Queue.DisposeAsync().ConfigureAwait(false);
            if (TryStart(definition, null, null, old.Sent) is { } relay)
            {
                foreach (var chunk in moved)
                {
                    relay.Queue.Enqueue(chunk);
                }
            }
            else
            {
                moved.ForEach(c => c.Return());
            }
        }

        await old.DisposeAsync().ConfigureAwait(false);
    }

    private RelayTarget? TryStart(RelayDefinition definition, RelayQueue? queue, RelayChunk? carried, long sentBefore = 0)
    {
        var logger = loggers.CreateLogger($"Collector.Relay.{definition.Name}");
        try
        {
            queue ??= new RelayQueue(
                new RelayQueueOptions
                {
                    Name = definition.Name,
                    MaxBytes = definition.QueueBytes,
                    SpillDirectory = definition.Spill ? Path.Combine(_spillRoot, definition.Name) : null,
                    MaxSpillBytes = definition.SpillBytes,
                },
                logger,
                time);
            var relay = new RelayTarget(definition, queue, logger, time, carried, sentBefore);
            lock (_lock)
            {
                // A changed relay replaces its predecessor here; RestartAsync disposes that one.
                _running[definition.Name] = relay;
                _startErrors.Remove(definition.Name);
                _failedDefinitions.Remove(definition.Name);
            }

            Publish();
            relay.Start();
            return relay;
        }
#pragma warning disable CA1031 // A relay that cannot start (e.g. an unreadable certificate) is reported; the others run.
        catch (Exception e)
#pragma warning restore CA1031
        {
            RelayLog.StartFailed(_logger, definition.Name, e.Message);
            lock (_lock)
            {
                _running.Remove(definition.Name);
                _startErrors[definition.Name] = e.Message;
                _failedDefinitions[definition.Name] = (definition, time.GetUtcNow());
            }

            Publish();
            carried?.Return();
            return null;
        }
    }

    private static async Task DrainAsync(RelayTarget relay)
    {
        await relay.DrainAsync(DrainTimeout).ConfigureAwait(false);
        await relay.DisposeAsync().ConfigureAwait(false);
    }

    private void Publish()
    {
        lock (_lock)
        {
            fanout.Publish([.. _running.Values]);
        }
    }

    private void ReportInvalid(RelaySet set)
    {
        var now = set.Invalid.Select(i => i.File + "\n" + string.Join("; ", i.Errors)).ToHashSet();
        foreach (var file in set.Invalid)
        {
            if (!_reportedInvalid.Contains(file.File + "\n" + string.Join("; ", file.Errors)))
            {
                RelayLog.InvalidFile(_logger, file.File, string.Join("; ", file.Errors));
            }
        }

        _reportedInvalid = now;
    }

    private FileSystemWatcher? Watch(string path)
    {
        try
        {
            System.IO.Directory.CreateDirectory(path);
            var watcher = new FileSystemWatcher(path)
            {
                IncludeSubdirectories = false,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName
                    | NotifyFilters.LastWrite | NotifyFilters.Size,
            };
            FileSystemEventHandler changed = (_, _) => _wake.Release();
            watcher.Changed += changed;
            watcher.Created += changed;
            watcher.Deleted += changed;
            watcher.Renamed += (_, _) => _wake.Release();
            watcher.Error += (_, e) => RelayLog.WatchFailed(_logger, path, e.GetException().Message);
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            RelayLog.WatchFailed(_logger, path, e.Message);
            return null;
        }
    }
}
