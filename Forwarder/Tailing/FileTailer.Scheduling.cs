namespace Forwarder.Tailing;

/// <summary>
/// When the tailing loop looks at this file next: at once while it yields data, backing off while idle, later after
/// a read error, not at all while an older generation at the same path is still being drained. Times are the loop's
/// millisecond timestamps.
/// </summary>
internal sealed partial class FileTailer
{
    /// <summary>Shortest and longest wait between looks at an idle file.</summary>
    public const int MinPollMs = 5;

    public const int MaxPollMs = 250;

    /// <summary>A file that was at the same path before this one; this one waits until it is drained.</summary>
    public FileTailer? Predecessor { get; private set; }

    /// <summary>When to look at the file again (timestamp); active files are polled often, idle ones less.</summary>
    public long NextPoll { get; private set; }

    /// <summary>Looks in a row that found nothing new; each doubles the wait, up to <see cref="MaxPollMs"/>.</summary>
    public int IdlePolls { get; private set; }

    /// <summary>
    /// Bytes of this file in batches that are not yet confirmed (its share of the shipping queue in use). An entry
    /// still being reassembled or joined is not in a batch and not counted, so a long one never holds its own file
    /// back.
    /// </summary>
    public long Unconfirmed => Math.Max(0, ProgressOffset - CommittedOffset);

    /// <summary>
    /// Some batch holds lines (or an offset) of this file and is not delivered yet: handed over, or still being filled.
    /// Only a file with none may go in the urgent lane, or its lines could overtake each other; counted per batch, so a
    /// batch from before a truncation counts too, which <see cref="Unconfirmed"/> does not see.
    /// </summary>
    public bool InFlight => Volatile.Read(ref _batchesOut) > 0;

    /// <summary>A batch took this file's first progress (<see cref="Shipping.OutgoingBatch.SetProgress"/>).</summary>
    public void AddedToBatch() => Interlocked.Increment(ref _batchesOut);

    /// <summary>
    /// True while the file has used its share of the queue: it is read again once a batch is delivered, and its poll
    /// time does not wake the loop meanwhile.
    /// </summary>
    public bool WaitingForShare { get; private set; }

    /// <summary>The loop gives the file a turn: a share used up before is looked at again.</summary>
    public void StartTurn() => WaitingForShare = false;

    /// <summary>
    /// Whether the file's lines not yet confirmed fill <paramref name="shareBytes"/>; then it waits for a delivery.
    /// </summary>
    public bool UsedShare(long shareBytes) => WaitingForShare = Unconfirmed >= shareBytes;

    /// <summary>
    /// The earliest time this file needs the loop: its next look, or its next open attempt while closed.
    /// </summary>
    public long DueAt => Math.Max(NextPoll, IsOpen ? 0 : RetryOpenAt);

    /// <summary>
    /// Reads wait until <paramref name="predecessor"/> (an older generation of this path) is drained; null: none.
    /// </summary>
    public void DrainAfter(FileTailer? predecessor) => Predecessor = predecessor;

    /// <summary>
    /// Whether the loop should read this file now: open or not yet closed, its predecessor drained and confirmed, its
    /// look due.
    /// A drained predecessor is let go here, or every generation of a long-lived container's log would stay reachable
    /// through its successor, one tailer with its parser and encoder per rotation, for as long as the pod lives.
    /// </summary>
    public bool IsDue(long now)
    {
        // Closed is not enough: its last batches (and the events its joiner flushed on closing) may still be queued in
        // the normal lane, and this file, with nothing of its own in flight, would count as quiet and have its first
        // lines sent in the urgent lane ahead of them (the chaos run stored a line after the next generation's).
        if (Predecessor is { IsClosed: true, InFlight: false })
        {
            Predecessor = null;
        }

        return !IsClosed && Predecessor is null && now >= NextPoll;
    }

    /// <summary>Data was read: look again on the next turn and start the back-off over.</summary>
    public void ReadAgainAtOnce()
    {
        IdlePolls = 0;
        NextPoll = 0;
    }

    /// <summary>Nothing new: 5, 10, 20 … 250 ms between looks.</summary>
    public void BackOff(long now)
    {
        IdlePolls = Math.Min(IdlePolls + 1, 16);
        NextPoll = now + Math.Min(MaxPollMs, MinPollMs << Math.Min(IdlePolls - 1, 6));
    }

    /// <summary>
    /// After a read error: the handle goes, the offset stays; the file is opened again at <paramref name="retryAt"/>.
    /// </summary>
    public void CloseForRetry(long retryAt)
    {
        _handle?.Dispose();
        _handle = null;
        NextPoll = retryAt;
    }
}
