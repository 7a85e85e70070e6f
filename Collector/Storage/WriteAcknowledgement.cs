namespace Collector.Storage;

/// <summary>
/// Rides on the last <see cref="LineChunk"/> of a group of lines (a RELP session's commands since its last answer)
/// and completes once the writer has appended that chunk to the messages file, and with <see cref="NeedsSync"/>
/// also fdatasync'd it. The queue is FIFO and the writer appends in order, so every earlier chunk is in the file too.
/// Chunks from TCP and UDP carry none: for them the writer checks one null reference per chunk.
/// A RELP session is told by <see cref="OnSettled"/> on the writer's thread, with no task and no continuation per
/// acknowledgement (1,000 senders of one message at a time cost one of each per message); <see cref="Written"/> is
/// built only when someone asks for it.
/// </summary>
public class WriteAcknowledgement(bool needsSync)
{
    private const int Pending = 0;
    private const int Done = 1;
    private const int GivenUp = 2;

    private int _state;
    private TaskCompletionSource? _written;

    /// <summary>Complete only after the data is on stable storage (<c>--relp-ack-after fsync</c>).</summary>
    public bool NeedsSync => needsSync;

    /// <summary>The lines are in the file (and synced when <see cref="NeedsSync"/>).</summary>
    public bool IsWritten => Volatile.Read(ref _state) == Done;

    /// <summary>The writer gave up on the lines: they are not in the file and must not be answered.</summary>
    public bool IsAbandoned => Volatile.Read(ref _state) == GivenUp;

    /// <summary>Completes when written; cancelled when abandoned.</summary>
    public Task Written
    {
        get
        {
            var written = Volatile.Read(ref _written);
            if (written is null)
            {
                var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                written = Interlocked.CompareExchange(ref _written, created, null) ?? created;
            }

            // Settled before the source existed: Complete/Abandon saw no source to set.
            switch (Volatile.Read(ref _state))
            {
                case Done:
                    written.TrySetResult();
                    break;
                case GivenUp:
                    written.TrySetCanceled();
                    break;
            }

            return written.Task;
        }
    }

    internal void Complete() => Settle(Done);

    /// <summary>
    /// The writer gave up on the chunk (shutdown timeout): the lines are not in the file, the command is not answered.
    /// </summary>
    internal void Abandon() => Settle(GivenUp);

    /// <summary>
    /// Called once, on the thread that completed or abandoned this (the writer's, or the fdatasync thread): keep it
    /// short, and it must not throw.
    /// </summary>
    protected virtual void OnSettled()
    {
    }

    private void Settle(int state)
    {
        if (Interlocked.CompareExchange(ref _state, state, Pending) != Pending)
        {
            return;
        }

        if (Volatile.Read(ref _written) is { } written)
        {
            if (state == Done)
            {
                written.TrySetResult();
            }
            else
            {
                written.TrySetCanceled();
            }
        }

        OnSettled();
    }
}
