using System.Diagnostics.CodeAnalysis;

namespace Collector.Relay.Queue;

/// <summary>
/// One relay's queue: many ingest threads enqueue chunks without ever blocking, one sender takes them in order.
/// Memory comes first; when it is full and a spill directory is set, chunks go to disk, and from then on every new
/// chunk does until the disk part is empty again, so nothing newer in memory overtakes what is on disk (rsyslog's
/// disk-assisted queue). Enqueue only moves chunks between lists: a background writer does the disk writes and the
/// consumer the reads. When a bound is reached the oldest are dropped and counted.
/// </summary>
[SuppressMessage("Naming", "CA1711", Justification = "It is a queue; the name is the relay's contract.")]
public sealed partial class RelayQueue : IAsyncDisposable
{
    private readonly RelayQueueOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly DiskSpill? _disk;
    private readonly Task _writer;
    private readonly ITimer _reportTimer;

    private readonly Lock _lock = new();
    private readonly ChunkList _memory = new();

    // Chunks bound for disk, not yet written: the newest part of the queue.
    private readonly ChunkList _backlog = new();

    // Taken from the backlog by the writer and not yet committed to disk; while set, the disk part is not empty.
    private RelayChunk? _writing;
    private bool _completed;
    private TaskCompletionSource? _takeWaiter;
    private TaskCompletionSource? _writerWaiter;

    public RelayQueue(RelayQueueOptions options, ILogger logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxSpillBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.SegmentBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxSpillBacklogBytes);
        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _reportTimer = _time.CreateTimer(
            static state => ((RelayQueue)state!).ReportScheduled(),
            this,
            Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);
        if (options.SpillDirectory is not null)
        {
            _disk = new DiskSpill(options, logger, _time, OnDropped);
            _writer = Task.Run(WriteLoopAsync);
        }
        else
        {
            _writer = Task.CompletedTask;
        }
    }

    /// <summary>Messages' bytes (with their length prefixes) queued in memory and on disk.</summary>
    public long QueuedBytes
    {
        get
        {
            lock (_lock)
            {
                return _memory.Bytes + _backlog.Bytes + (_writing?.Length ?? 0) + SpilledBytes;
            }
        }
    }

    public long QueuedMessages
    {
        get
        {
            lock (_lock)
            {
                return _memory.Messages + _backlog.Messages + (_writing?.Messages ?? 0) + SpilledMessages;
            }
        }
    }

    /// <summary>
    /// Memory held by queued chunks (their capacities), which <see cref="RelayQueueOptions.MaxBytes"/> bounds.
    /// </summary>
    public long MemoryBytes
    {
        get
        {
            lock (_lock)
            {
                return _memory.Capacity + _backlog.Capacity + (_writing?.Capacity ?? 0);
            }
        }
    }

    /// <summary>Messages in the memory part only (not those waiting to be spilled).</summary>
    internal long MemoryMessages
    {
        get
        {
            lock (_lock)
            {
                return _memory.Messages;
            }
        }
    }

    public long SpilledBytes => _disk?.UnreadBytes ?? 0;

    public long SpilledMessages => _disk?.UnreadMessages ?? 0;

    /// <summary>Spill segment files, including any partly taken one.</summary>
    public int SpillSegments => _disk?.Segments ?? 0;

    public long DroppedMessages => Interlocked.Read(ref _dropped);

    public long SpillErrors => _disk?.SpillErrors ?? 0;

    /// <summary>
    /// Queues a chunk, which the queue now owns. Never blocks: when full, the oldest chunks are dropped.
    /// </summary>
    public void Enqueue(RelayChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        if (chunk.Messages == 0)
        {
            chunk.Return();
            return;
        }

        long dropped = 0;
        TaskCompletionSource? taker;
        TaskCompletionSource? writer = null;
        lock (_lock)
        {
            if (_completed)
            {
                dropped = chunk.Messages;
                chunk.Return();
            }
            else if (_disk is not null && (_backlog.Count > 0 || _writing is not null || _disk.UnreadRecords > 0
                || (_memory.Count > 0 && _memory.Capacity + chunk.Capacity > _options.MaxBytes)))
            {
                // While anything is on (or bound for) disk, memory would let this chunk overtake it.
                dropped = _backlog.DropOldestFor(chunk.Capacity, _options.MaxSpillBacklogBytes);
                _backlog.Add(chunk);
                writer = TakeWaiter(ref _writerWaiter);
            }
            else
            {
                dropped = _memory.DropOldestFor(chunk.Capacity, _options.MaxBytes);
                _memory.Add(chunk);
            }

            taker = TakeWaiter(ref _takeWaiter);
        }

        taker?.TrySetResult();
        writer?.TrySetResult();
        if (dropped > 0)
        {
            OnDropped(dropped);
        }
    }

    /// <summary>
    /// The oldest chunk, waiting for one; null once <see cref="Complete"/> was called and all is taken. For one
    /// consumer. Asking for the next chunk acknowledges the previous one (a spilled one is then marked taken on disk):
    /// a chunk that was not delivered goes to <see cref="PersistAsync"/> instead.
    /// </summary>
    public async ValueTask<RelayChunk?> TakeAsync(CancellationToken cancellationToken)
    {
        _disk?.Ack();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Task? wait = null;
            bool readDisk = false;
            lock (_lock)
            {
                if (_memory.TryTake(out var chunk))
                {
                    return chunk;
                }

                if (_disk is not null && _disk.UnreadRecords > 0)
                {
                    readDisk = true;
                }
                else if (_writing is null && _backlog.TryTake(out chunk))
                {
                    // Nothing older is on disk: skip the round trip through the file.
                    return chunk;
                }
                else if (_completed && _writing is null)
                {
                    return null;
                }
                else
                {
                    wait = (_takeWaiter ??= NewWaiter()).Task;
                }
            }

            if (readDisk)
            {
                if (await _disk!.ReadNextAsync(cancellationToken).ConfigureAwait(false) is { } spilled)
                {
                    return spilled;
                }

                continue;
            }

            await wait!.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Ends the queue: later chunks are dropped and counted; <see cref="TakeAsync"/> returns null once the
    /// rest is taken.
    /// </summary>
    public void Complete()
    {
        TaskCompletionSource? taker;
        TaskCompletionSource? writer;
        lock (_lock)
        {
            _completed = true;
            taker = TakeWaiter(ref _takeWaiter);
            writer = TakeWaiter(ref _writerWaiter);
        }

        taker?.TrySetResult();
        writer?.TrySetResult();
    }

    private async Task WriteLoopAsync()
    {
        while (true)
        {
            RelayChunk? chunk;
            Task? wait = null;
            lock (_lock)
            {
                if (_backlog.TryTake(out chunk))
                {
                    _writing = chunk;
                }
                else if (_completed)
                {
                    return;
                }
                else
                {
                    wait = (_writerWaiter ??= NewWaiter()).Task;
                }
            }

            if (wait is not null)
            {
                await wait.ConfigureAwait(false);
                continue;
            }

            long dropped = 0;
            bool written = false;
            try
            {
                written = _disk!.Write(chunk!);
            }
            catch (Exception e)
            {
                // I/O errors are handled inside; anything else is a bug that must not stop spilling for good.
                RelayQueueLog.WriterFailed(_logger, _options.Name, e);
                dropped = chunk!.Messages;
            }

            TaskCompletionSource? taker;
            lock (_lock)
            {
                // One step: Enqueue and TakeAsync never see the chunk neither in _writing nor on disk (the order
                // rule) nor in both (the counters).
                if (written)
                {
                    dropped = _disk!.CommitWrite();
                }

                _writing = null;
                taker = TakeWaiter(ref _takeWaiter);
            }

            chunk!.Return();
            taker?.TrySetResult();
            if (dropped > 0)
            {
                OnDropped(dropped);
            }
        }
    }

    private static TaskCompletionSource NewWaiter() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Under _lock; the caller completes the waiter after leaving it.
    private static TaskCompletionSource? TakeWaiter(ref TaskCompletionSource? waiter)
    {
        var taken = waiter;
        waiter = null;
        return taken;
    }
}
