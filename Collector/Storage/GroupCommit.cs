using Microsoft.Win32.SafeHandles;

namespace Collector.Storage;

/// <summary>
/// The group commit of <c>--relp-ack-after fsync</c>, beside the writer rather than in its loop: the writer hands over
/// the acknowledgements of each write once that write has returned and goes on writing. One fdatasync at a time
/// takes everything handed over so far and, when it returns, completes exactly those; the next one covers what was
/// written meanwhile. So an acknowledgement completes only after an fdatasync that started after its chunk's write
/// finished, and the writer never waits for the disk's flush.
/// Each entry holds a reference on the handle it was written through: the writer may rotate, reopen or close the file
/// at any time, and the old descriptor stays open until the lines written through it are synced.
/// The fdatasyncs run on a thread of their own, started with the first acknowledgement that needs one: on the thread
/// pool each cycle would queue behind the connections' work, and that wait lands on every answer.
/// </summary>
internal sealed class GroupCommit
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(10);

    private readonly object _gate = new();
    private readonly Action<SafeFileHandle> _flush;
    private readonly StorageCounters _counters;
    private readonly TimeProvider _time;
    private readonly Action<int, TimeSpan, Exception> _failed;
    private readonly CancellationToken _abandon;
    private List<Entry> _waiting = [];
    private List<Entry> _spare = [];
    private List<Entry>? _syncing;
    private Thread? _thread;
    private TaskCompletionSource? _drained;
    private bool _stopped;
    private bool _gaveUp;

    // flush is fdatasync (DataSync.Flush; tests pass one that records what it covers); failed is told the attempt and
    // the delay before the retry of a failed fdatasync; abandon (the shutdown timeout) ends those retries.
    public GroupCommit(
        Action<SafeFileHandle> flush,
        StorageCounters counters,
        TimeProvider time,
        Action<int, TimeSpan, Exception> failed,
        CancellationToken abandon)
    {
        _flush = flush;
        _counters = counters;
        _time = time;
        _failed = failed;
        _abandon = abandon;
    }

    /// <summary>
    /// Hands over acknowledgements of chunks whose write through <paramref name="file"/> has returned; they go with
    /// the next fdatasync that starts (the one in flight, if any, started before these writes ended).
    /// </summary>
    public void Written(SafeFileHandle file, List<WriteAcknowledgement> acknowledgements)
    {
        if (acknowledgements.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            foreach (var ack in acknowledgements)
            {
                // Released once synced (or abandoned): until then a Dispose by the writer leaves the descriptor open.
                bool added = false;
                file.DangerousAddRef(ref added);
                _waiting.Add(new Entry(file, ack));
            }

            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = "fdatasync" };
                _thread.Start();
            }

            Monitor.Pulse(_gate);
        }
    }

    /// <summary>
    /// Completes when everything handed over is synced and acknowledged (the writer stops handing over first);
    /// cancelled when the shutdown timeout ended a failing fdatasync's retries.
    /// </summary>
    public Task DrainAsync()
    {
        lock (_gate)
        {
            if (_gaveUp)
            {
                return Task.FromCanceled(_abandon);
            }

            if (_waiting.Count == 0 && _syncing is null)
            {
                return Task.CompletedTask;
            }

            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _drained.Task;
        }
    }

    /// <summary>The writer has stopped: the thread ends once it has nothing left to sync.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _stopped = true;
            Monitor.Pulse(_gate);
        }
    }

    /// <summary>
    /// The shutdown timeout ended the writer: what is not yet acknowledged is abandoned (the senders keep those
    /// messages). An fdatasync in flight may still finish; completing an abandoned acknowledgement does nothing.
    /// </summary>
    public void Abandon()
    {
        lock (_gate)
        {
            foreach (var pending in _waiting)
            {
                pending.Acknowledgement.Abandon();
                pending.File.DangerousRelease();
            }

            _waiting.Clear();
            foreach (var pending in _syncing ?? [])
            {
                pending.Acknowledgement.Abandon();
            }

            _stopped = true;
            Monitor.Pulse(_gate);
        }
    }

    private void Run()
    {
        while (true)
        {
            List<Entry> batch;
            lock (_gate)
            {
                while (_waiting.Count == 0)
                {
                    _drained?.TrySetResult();
                    _drained = null;
                    if (_stopped)
                    {
                        return;
                    }

                    Monitor.Wait(_gate);
                }

                // Everything in the list was written before this point, so the fdatasync below covers all of it.
                batch = _waiting;
                _waiting = _spare;
                _syncing = batch;
            }

            try
            {
                Flush(batch);
                foreach (var pending in batch)
                {
                    pending.Acknowledgement.Complete();
                }
            }
            catch (OperationCanceledException)
            {
                // Abandoned (the shutdown timeout) while retrying: these lines are not known to be on disk.
                foreach (var pending in batch)
                {
                    pending.Acknowledgement.Abandon();
                }

                lock (_gate)
                {
                    _gaveUp = true;
                    _drained?.TrySetCanceled(_abandon);
                    _drained = null;
                }

                return;
            }
            finally
            {
                lock (_gate)
                {
                    foreach (var pending in batch)
                    {
                        pending.File.DangerousRelease();
                    }

                    batch.Clear();
                    _syncing = null;
                    _spare = batch;
                }
            }
        }
    }

    /// <summary>
    /// One fdatasync per descriptor in the batch (more than one only across a rotation or reopen),
    /// retried until it succeeds.
    /// </summary>
    private void Flush(List<Entry> batch)
    {
        SafeFileHandle? previous = null;
        foreach (var pending in batch)
        {
            if (pending.File == previous)
            {
                continue;
            }

            previous = pending.File;
            int failures = 0;
            while (true)
            {
                try
                {
                    // The writer may have disposed its handle (our reference keeps the descriptor open), and a disposed
                    // SafeHandle refuses new uses: flush through a non-owning view of the same descriptor.
                    using var view = new SafeFileHandle(pending.File.DangerousGetHandle(), ownsHandle: false);
                    _flush(view);
                    _counters.Synced();
                    break;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    failures++;
                    _counters.WriteFailed();
                    var delay = TimeSpan.FromMilliseconds(Math.Min(MaxRetryDelay.TotalMilliseconds, 100 * Math.Pow(2, Math.Min(failures, 10))));
                    _failed(failures, delay, ex);

                    // This thread only syncs: blocking it for the delay holds up nothing else.
                    Task.Delay(delay, _time, _abandon).GetAwaiter().GetResult();
                }
            }
        }
    }

    private readonly record struct Entry(SafeFileHandle File, WriteAcknowledgement Acknowledgement);
}
