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
/// </summary>
internal sealed class GroupCommit
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private readonly Action<SafeFileHandle> _flush;
    private readonly StorageCounters _counters;
    private readonly TimeProvider _time;
    private readonly Action<int, TimeSpan, Exception> _failed;
    private readonly CancellationToken _abandon;
    private List<Entry> _waiting = [];
    private List<Entry> _spare = [];
    private List<Entry>? _syncing;
    private bool _running;
    private Task _loop = Task.CompletedTask;

    // flush is fdatasync (DataSync.Flush; tests pass one that records what it covers); failed is told the attempt and
    // the delay before the retry of a failed fdatasync; abandon (the shutdown timeout) ends those retries.
    public GroupCommit(Action<SafeFileHandle> flush, StorageCounters counters, TimeProvider time, Action<int, TimeSpan, Exception> failed, CancellationToken abandon)
    {
        _flush = flush;
        _counters = counters;
        _time = time;
        _failed = failed;
        _abandon = abandon;
    }

    /// <summary>
    /// Hands over acknowledgements of chunks whose write through <paramref name="file"/> has returned; starts an
    /// fdatasync unless one is in flight (that one's successor will cover these). Called by the writer only.
    /// </summary>
    public void Written(SafeFileHandle file, List<WriteAcknowledgement> acknowledgements)
    {
        if (acknowledgements.Count == 0)
        {
            return;
        }

        lock (_lock)
        {
            foreach (var ack in acknowledgements)
            {
                // Released once synced (or abandoned): until then a Dispose by the writer leaves the descriptor open.
                bool added = false;
                file.DangerousAddRef(ref added);
                _waiting.Add(new Entry(file, ack));
            }

            if (_running)
            {
                return;
            }

            _running = true;
        }

        _loop = Task.Run(RunAsync, CancellationToken.None);
    }

    /// <summary>Waits until everything handed over is synced and acknowledged (the writer stops handing over first).</summary>
    public Task DrainAsync() => _loop;

    /// <summary>
    /// The shutdown timeout ended the writer: what is not yet acknowledged is abandoned (the senders keep those
    /// messages). An fdatasync in flight may still finish; completing an abandoned acknowledgement does nothing.
    /// </summary>
    public void Abandon()
    {
        lock (_lock)
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
        }
    }

    private async Task RunAsync()
    {
        while (true)
        {
            List<Entry> batch;
            lock (_lock)
            {
                if (_waiting.Count == 0)
                {
                    _running = false;
                    return;
                }

                // Everything in the list was written before this point, so the fdatasync below covers all of it.
                batch = _waiting;
                _waiting = _spare;
                _syncing = batch;
            }

            try
            {
                await FlushAsync(batch).ConfigureAwait(false);
                foreach (var pending in batch)
                {
                    pending.Acknowledgement.Complete();
                }
            }
            catch
            {
                // Abandoned (the shutdown timeout) while retrying: these lines are not known to be on disk.
                foreach (var pending in batch)
                {
                    pending.Acknowledgement.Abandon();
                }

                throw;
            }
            finally
            {
                lock (_lock)
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

    /// <summary>One fdatasync per descriptor in the batch (more than one only across a rotation or reopen), retried until it succeeds.</summary>
    private async Task FlushAsync(List<Entry> batch)
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
                    await Task.Delay(delay, _time, _abandon).ConfigureAwait(false);
                }
            }
        }
    }

    private readonly record struct Entry(SafeFileHandle File, WriteAcknowledgement Acknowledgement);
}
