using Collector.Configuration;
using Microsoft.Win32.SafeHandles;

namespace Collector.Storage;

/// <summary>
/// The one writer of the messages file. It takes whole-line chunks from the <see cref="StorageChannel"/> as they come
/// and appends up to 1 MiB of them with one vectored write, so a line reaches the page cache as soon as the writer
/// is free: there is no flush timer to wait for. Rotation happens between chunks, so no line is split. A failed
/// write is retried (the partial tail cut off first) until it succeeds; meanwhile the queue fills and TCP senders
/// pause. Stopping drains the queue: the ingest services stop first, so everything they read is written.
/// A chunk's <see cref="WriteAcknowledgement"/> completes once its write has returned, or with <c>fsync</c> through
/// the <see cref="GroupCommit"/> beside this loop, which never waits for an fdatasync.
/// </summary>
public sealed class MessagesFileWriter : IHostedLifecycleService, IDisposable
{
    private const int MaxBatchBytes = 1 << 20;
    private const int MaxBatchChunks = 256;
    private static readonly TimeSpan HousekeepingInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(10);

    private readonly StorageChannel _queue;
    private readonly CollectorOptions _options;
    private readonly StorageCounters _counters;
    private readonly RotatedFiles _rotated;
    private readonly FreeSpaceKeeper _keeper;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly WrittenLines? _written;
    private readonly CancellationTokenSource _abandon = new();
    private readonly string _path;
    private readonly List<LineChunk> _batch = new(MaxBatchChunks);
    private readonly List<ReadOnlyMemory<byte>> _segment = new(MaxBatchChunks);
    private readonly List<WriteAcknowledgement> _acknowledgements = [];
    private readonly List<WriteAcknowledgement> _toSync = [];
    private GroupCommit? _commit;
    private SafeFileHandle? _file;
    private long _size;
    private long _unsyncedSince = -1;
    private long _lastFsync;
    private long _lastHousekeeping;
    private bool _rotationFailing;
    private Task _loop = Task.CompletedTask;
    private Task? _tick;
    private volatile bool _reopenRequested;

    public MessagesFileWriter(
        StorageChannel queue,
        CollectorOptions options,
        StorageCounters counters,
        TimeProvider time,
        ILogger<MessagesFileWriter> logger,
        WrittenLines? written = null)
    {
        _written = written;
        _queue = queue;
        _options = options;
        _counters = counters;
        _time = time;
        _logger = logger;
        _path = Path.GetFullPath(options.File);
        _rotated = new RotatedFiles(_path, options.MaxFiles, options.Compress, options.MaxTotalSize, counters, logger);
        _keeper = new FreeSpaceKeeper(new MessagesFiles(_path, options.MaxFiles), options.MinFree, counters, logger);
    }

    public string FilePath => _path;

    /// <summary>
    /// The fdatasync of <c>--relp-ack-after fsync</c>; a test seam (set before starting) that can record or fail it.
    /// </summary>
    internal Action<SafeFileHandle> DataSyncFlush { get; set; } = DataSync.Flush;

    /// <summary>Close and reopen the file at the next chance (within a second): SIGHUP, as rsyslog does it.</summary>
    public void RequestReopen() => _reopenRequested = true;

    /// <summary>Opens (creating the directory and appending to an existing file) before the listeners start.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _keeper.Keep();
        try
        {
            Open();
        }
        catch (IOException ex) when (StorageFault.IsNoSpace(ex))
        {
            // Ending a half-written last line needs a byte the full disk does not have. Start anyway, not ready: a
            // Collector that exits here would only be restarted into the same full disk. Housekeeping opens it later.
            _file?.Dispose();
            _file = null;
            _counters.Writable = false;
            _counters.Failing(ex, _time.GetUtcNow());
            StorageLog.DiskFull(_logger, _path, ex.Message, 0, HousekeepingInterval);
        }

        _commit = new GroupCommit(
            DataSyncFlush,
            _counters,
            _time,
            (_, delay, ex) => StorageLog.WriteFailed(_logger, _path, 0, delay, ex),
            _abandon.Token);
        _rotated.StartBackgroundWork();
        StorageLog.Opened(_logger, _path, _options.Format, _options.MaxFileSize, _options.MaxFiles);
        _loop = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Runs after every service's StopAsync, so the listeners (Kestrel, UDP) have stored all they read: writes
    /// everything queued, then closes. If the host's shutdown timeout ends first, says what was lost.
    /// </summary>
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        _queue.Complete();
        using (cancellationToken.Register(() => _abandon.Cancel()))
        {
            await _loop.ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _file?.Dispose();
        _abandon.Dispose();
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        try
        {
            while (true)
            {
                if (reader.Count == 0 && !await WaitForDataAsync().ConfigureAwait(false))
                {
                    break;
                }

                long batchBytes = 0;
                while (_batch.Count < MaxBatchChunks && batchBytes < MaxBatchBytes && reader.TryRead(out var chunk))
                {
                    _queue.Taken(chunk);
                    _batch.Add(chunk);
                    batchBytes += chunk.Length;
                }

                if (_batch.Count > 0)
                {
                    await WriteBatchAsync().ConfigureAwait(false);
                }

                Housekeeping();
            }

            await _commit!.DrainAsync().ConfigureAwait(false);
            Sync(force: true);
            StorageLog.Drained(_logger, _counters.LinesWritten, _counters.BytesWritten);
        }
        catch (OperationCanceledException) when (_abandon.IsCancellationRequested)
        {
            int chunks = _batch.Count + reader.Count;
            long bytes = _batch.Sum(c => (long)c.Length) + _queue.QueuedBytes;
            StorageLog.Abandoned(_logger, chunks, bytes, _path);
            AbandonAcknowledgements(reader);
        }
        finally
        {
            _commit?.Stop();
            _file?.Dispose();
            _file = null;
            _counters.Writable = false;
            _rotated.WaitForCompression();
        }
    }

    /// <summary>
    /// Lines that will not be written are not acknowledged: their RELP senders keep them and send them again.
    /// </summary>
    private void AbandonAcknowledgements(System.Threading.Channels.ChannelReader<LineChunk> reader)
    {
        _commit?.Abandon();
        foreach (var ack in _acknowledgements)
        {
            ack.Abandon();
        }

        foreach (var chunk in _batch)
        {
            chunk.Acknowledgement?.Abandon();
        }

        while (reader.TryRead(out var chunk))
        {
            chunk.Acknowledgement?.Abandon();
        }
    }

    /// <summary>
    /// Waits for chunks, waking every second for housekeeping. False when the queue is completed and empty.
    /// </summary>
    private async ValueTask<bool> WaitForDataAsync()
    {
        var wait = _queue.Reader.WaitToReadAsync();
        if (wait.IsCompleted)
        {
            return wait.Result;
        }

        var waiting = wait.AsTask();
        while (true)
        {
            // One timer per second, not one per wait: with 1,000 RELP senders of one message at a time the writer
            // waits tens of thousands of times a second, and each Task.Delay was a timer left to fire a second later.
            _tick ??= Task.Delay(HousekeepingInterval, _time);
            if (await Task.WhenAny(waiting, _tick).ConfigureAwait(false) == waiting)
            {
                return await waiting.ConfigureAwait(false);
            }

            _tick = null;
            Housekeeping();
        }
    }

    /// <summary>Appends the batch, rotating between chunks when the next one would pass the size limit.</summary>
    private async Task WriteBatchAsync()
    {
        long segmentBytes = 0;
        int segmentLines = 0;
        foreach (var chunk in _batch)
        {
            if (_size + segmentBytes + chunk.Length > _options.MaxFileSize && _size + segmentBytes > 0)
            {
                await WriteSegmentAsync(segmentBytes, segmentLines).ConfigureAwait(false);
                Acknowledge();
                segmentBytes = 0;
                segmentLines = 0;
                Rotate();
            }

            _segment.Add(chunk.Memory);
            segmentBytes += chunk.Length;
            segmentLines += chunk.Lines;
            if (chunk.Acknowledgement is { } ack)
            {
                _acknowledgements.Add(ack);
            }
        }

        await WriteSegmentAsync(segmentBytes, segmentLines).ConfigureAwait(false);
        Acknowledge();
        foreach (var chunk in _batch)
        {
            chunk.Return();
        }

        _batch.Clear();
    }

    /// <summary>
    /// The segment's write has returned (a failed one is retried, never acknowledged): complete its acknowledgements,
    /// or hand those that wait for fdatasync to the group commit, which syncs while this loop writes on.
    /// </summary>
    private void Acknowledge()
    {
        if (_acknowledgements.Count == 0)
        {
            return;
        }

        foreach (var ack in _acknowledgements)
        {
            if (ack.NeedsSync)
            {
                _toSync.Add(ack);
            }
            else
            {
                ack.Complete();
            }
        }

        _acknowledgements.Clear();
        _commit!.Written(_file!, _toSync);
        _toSync.Clear();
    }

    private async Task WriteSegmentAsync(long bytes, int lines)
    {
        int failures = 0;
        while (_segment.Count > 0)
        {
            try
            {
                if (_file is null)
                {
                    Open();
                }

                // One fstat per batch: a file truncated from outside (logrotate's copytruncate) is written at its new
                // end at once; a write at our old offset would leave a hole of NUL bytes before the line.
                NoticeTruncation(RandomAccess.GetLength(_file!));
                RandomAccess.Write(_file!, _segment, _size);
                _written?.Wrote(_segment, _size, bytes, lines);
                _size += bytes;
                _counters.FileSize = _size;
                _counters.Wrote(lines, bytes);
                _counters.Writable = true;
                _counters.Recovered();
                _segment.Clear();
                if (_unsyncedSince < 0)
                {
                    _unsyncedSince = _time.GetTimestamp();
                }

                if (failures > 0)
                {
                    StorageLog.WriteRecovered(_logger, _path, failures);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                failures++;
                _counters.WriteFailed();
                _counters.Writable = false;
                var fault = _counters.Failing(ex, _time.GetUtcNow());
                var delay = TimeSpan.FromMilliseconds(Math.Min(MaxRetryDelay.TotalMilliseconds, 100 * Math.Pow(2, Math.Min(failures, 10))));
                if (failures == 1 || delay == MaxRetryDelay)
                {
                    if (fault.NoSpace)
                    {
                        StorageLog.DiskFull(_logger, _path, ex.Message, lines, delay);
                    }
                    else
                    {
                        StorageLog.WriteFailed(_logger, _path, lines, delay, ex);
                    }
                }

                CloseAfterFailure();

                // --min-free deleting old rotated files makes room at once: then retry without waiting.
                if (!fault.NoSpace || !_keeper.Keep())
                {
                    await Task.Delay(delay, _time, _abandon.Token).ConfigureAwait(false);
                }
            }
        }
    }

    private void Open()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(_path)!);
        _file = File.OpenHandle(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        _size = RandomAccess.GetLength(_file);
        if (_size > 0 && !EndsWithLineFeed())
        {
            // A crash mid-write left half a line: end it, so the next line does not continue it.
            RandomAccess.Write(_file, "\n"u8, _size);
            _size++;
        }

        _counters.FileSize = _size;
        _counters.Writable = true;
        _written?.Opened(_size);
    }

    private bool EndsWithLineFeed()
    {
        using var reader = File.OpenHandle(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        Span<byte> last = stackalloc byte[1];
        return RandomAccess.Read(reader, last, _size - 1) == 1 && last[0] == (byte)'\n';
    }

    /// <summary>
    /// A write that failed half-way may have left part of a batch: cut it so the retry does not split a line.
    /// </summary>
    private void CloseAfterFailure()
    {
        try
        {
            if (_file is not null && RandomAccess.GetLength(_file) > _size)
            {
                RandomAccess.SetLength(_file, _size);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            StorageLog.HousekeepingFailed(_logger, _path, ex);
        }

        _file?.Dispose();
        _file = null;
    }

    private void Rotate()
    {
        // Acknowledgements still waiting for fdatasync hold the descriptor of the file rotated away:
        // it is synced after.
        Sync(force: true);
        long size = _size;
        _file?.Dispose();
        _file = null;
        try
        {
            _rotated.Rotate();
            _rotationFailing = false;
            _counters.Rotated();
            StorageLog.Rotated(_logger, _path, size);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Go on appending to the full file rather than stop writing: nothing is lost, the next chunk tries
            // again, and the failure is logged once until a rotation succeeds.
            if (!_rotationFailing)
            {
                _rotationFailing = true;
                StorageLog.HousekeepingFailed(_logger, _path, ex);
            }
        }

        try
        {
            Open();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The next write opens the file itself and retries until it can (WriteSegmentAsync logs that).
            _size = 0;
        }
    }

    /// <summary>
    /// Once a second: fsync when due, notice a file removed or truncated behind our back, and retry opening a file
    /// that could not be reopened (readiness depends on it, and no traffic comes to a pod that is not ready).
    /// </summary>
    private void Housekeeping()
    {
        if (_reopenRequested)
        {
            _reopenRequested = false;
            Reopen();
        }

        long now = _time.GetTimestamp();
        if (_time.GetElapsedTime(_lastHousekeeping, now) < HousekeepingInterval && _options.FsyncInterval == TimeSpan.Zero)
        {
            return;
        }

        Sync(force: false);
        if (_time.GetElapsedTime(_lastHousekeeping, now) < HousekeepingInterval)
        {
            return;
        }

        _lastHousekeeping = now;
        _keeper.Keep();
        bool retrying = _file is null;
        try
        {
            if (_file is null)
            {
                Open();
                _counters.Recovered();
                return;
            }

            // Removed, or replaced (moved away and created anew, as logrotate's "create" does): the path no longer
            // names our file. Same size through the path and through our handle is taken as the same file.
            if (!File.Exists(_path) || new FileInfo(_path).Length != RandomAccess.GetLength(_file))
            {
                StorageLog.Reopened(_logger, _path);

                // Forget the handle before opening: if the open fails, the next write opens (and retries) itself
                // instead of writing to a closed handle.
                _file.Dispose();
                _file = null;
                _counters.Writable = false;
                Open();
                return;
            }

            NoticeTruncation(RandomAccess.GetLength(_file));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Logged once, not every second while the file stays unopenable.
            if (!retrying)
            {
                StorageLog.HousekeepingFailed(_logger, _path, ex);
            }
        }
    }

    private void NoticeTruncation(long length)
    {
        if (length < _size)
        {
            StorageLog.Truncated(_logger, _path, _size, length);
            _size = length;
            _counters.FileSize = length;
        }
    }

    private void Reopen()
    {
        StorageLog.ReopenRequested(_logger, _path);
        try
        {
            Sync(force: true);
        }
        catch (IOException ex)
        {
            StorageLog.HousekeepingFailed(_logger, _path, ex);
        }

        _file?.Dispose();
        _file = null;
        _counters.Writable = false;
        try
        {
            Open();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The next write opens the file itself and retries until it can.
            StorageLog.HousekeepingFailed(_logger, _path, ex);
        }
    }

    private void Sync(bool force)
    {
        if (_file is null || _unsyncedSince < 0 || _options.FsyncInterval == TimeSpan.Zero)
        {
            return;
        }

        long now = _time.GetTimestamp();
        if (force || _time.GetElapsedTime(_lastFsync, now) >= _options.FsyncInterval)
        {
            RandomAccess.FlushToDisk(_file);
            _lastFsync = now;
            _unsyncedSince = -1;
            _counters.Synced();
        }
    }
}
