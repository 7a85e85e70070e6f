using Forwarder.Parsing;

namespace Forwarder.Multiline;

/// <summary>
/// Joins the entries of one file into events, per stream (stdout and stderr lines interleave but are never mixed),
/// after the parser reassembled runtime fragments. Each entry waits in its stream's pending event until the next
/// entry of that stream says whether it continues it, or until the flush timeout. One per file; the tailing loop's
/// thread only.
/// </summary>
/// <remarks>
/// Restarts: <see cref="PendingOffset"/> is the first line of the oldest event not sent yet, and a checkpoint never
/// passes it, so after a restart the event's lines are read again and it is rebuilt whole. Each event is sent with the
/// end of its own last line (docs/sources.md: the origin's TO), in the order of those ends (MultilineJoiner.Order.cs).
/// Between <see cref="BeginChunk"/> and <see cref="EndChunk"/> a line that lies in the tailer's read chunk waits there,
/// not copied: a line that is an event of its own is encoded straight from the chunk once the next line of its stream
/// begins another event, and only a line still waiting when the chunk is done, or one a second line joins, is copied.
/// </remarks>
public sealed partial class MultilineJoiner
{
    /// <summary>Lines held for the next line's verdict, at most; more blank lines than this end the event.</summary>
    private const int MaxHeldLines = 8;

    private readonly MultilineRule _rule;
    private readonly int _maxBytes;
    private readonly int _maxLines;
    private readonly long _flushTimeoutMs;

    // Indexed by LogStream.
    private readonly PendingEvent?[] _events = new PendingEvent?[3];

    // The read chunk the entries added now lie in, if the caller keeps it unchanged until EndChunk.
    private byte[]? _chunk;

    public MultilineJoiner(MultilineRule rule, int maxBytes, int maxLines, TimeSpan flushTimeout)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLines);
        _rule = rule;
        _maxBytes = maxBytes;
        _maxLines = maxLines;
        _flushTimeoutMs = (long)flushTimeout.TotalMilliseconds;
    }

    /// <summary>
    /// File offset of the first line of the oldest event still being joined or waiting to be sent; null when none.
    /// </summary>
    public long? PendingOffset
    {
        get
        {
            long? oldest = null;
            foreach (var pending in _events)
            {
                if (pending is { IsActive: true } && (oldest is null || pending.FirstOffset < oldest))
                {
                    oldest = pending.FirstOffset;
                }
            }

            foreach (var waiting in _waiting)
            {
                if (oldest is null || waiting.Offset < oldest)
                {
                    oldest = waiting.Offset;
                }
            }

            return oldest;
        }
    }

    /// <summary>
    /// Adds one entry that ends at file offset <paramref name="end"/>, read at <paramref name="now"/> (milliseconds);
    /// events it completes go to <paramref name="sink"/> before this returns, unless they wait for an open event that
    /// may end before them. Malformed entries are sent as they are, in the same order.
    /// </summary>
    public void Add(in LogEntry entry, long end, long now, IJoinedEventSink sink)
    {
        if (entry.Malformed)
        {
            Send(entry, end, null, sink);
            return;
        }

        var pending = _events[(int)entry.Stream] ??= new PendingEvent(entry.Stream);
        Process(pending, new EventLine
        {
            Content = entry.Content,
            Timestamp = entry.Timestamp,
            Offset = entry.Offset,
            End = end,
            OriginalLength = entry.OriginalLength,
            Partial = entry.Partial,
        }, now, sink);
        if (_waiting.Count > 0)
        {
            SendWaiting(sink);
            if (_waiting.Count > _maxLines)
            {
                SendBlockers(now, sink);
            }
        }
    }

    /// <summary>
    /// Entries added from now on may lie in <paramref name="chunk"/>, which the caller leaves unchanged until
    /// <see cref="EndChunk"/>: lines waiting for the next one point into it instead of being copied.
    /// </summary>
    public void BeginChunk(byte[] chunk) => _chunk = chunk;

    /// <summary>The chunk is about to be reused: what still points into it is copied.</summary>
    public void EndChunk()
    {
        if (_chunk is null)
        {
            return;
        }

        _chunk = null;
        foreach (var pending in _events)
        {
            if (pending is { IsBorrowed: true })
            {
                pending.Materialize(_maxBytes);
            }
        }

        foreach (var waiting in _waiting)
        {
            waiting.Materialize();
        }
    }

    /// <summary>
    /// Sends the events whose last line came <c>flushTimeout</c> or more before <paramref name="now"/>.
    /// </summary>
    public void FlushExpired(long now, IJoinedEventSink sink)
    {
        while (Oldest(now - _flushTimeoutMs) is { } pending)
        {
            FlushStream(pending, now, sink);
        }

        SendWaiting(sink);
        ReleaseSparesWhenIdle();
    }

    /// <summary>The earliest time <see cref="FlushExpired"/> has something to send; null when nothing waits.</summary>
    public long? NextFlushAt
    {
        get
        {
            long? next = null;
            foreach (var pending in _events)
            {
                if (pending is { IsActive: true } && (next is null || pending.LastAdded + _flushTimeoutMs < next))
                {
                    next = pending.LastAdded + _flushTimeoutMs;
                }
            }

            return next;
        }
    }

    /// <summary>Sends every pending and waiting event (the file is done).</summary>
    public void FlushAll(long now, IJoinedEventSink sink)
    {
        while (Oldest(long.MaxValue) is { } pending)
        {
            FlushStream(pending, now, sink);
        }

        SendWaiting(sink);
        ReleaseSparesWhenIdle();
    }

    /// <summary>Forgets every pending and waiting event (the file was truncated).</summary>
    public void Reset()
    {
        foreach (var pending in _events)
        {
            pending?.Release();
        }

        Recycle(_waiting.Count);
        ReleaseSparesWhenIdle();
    }

    private void Process(PendingEvent pending, in EventLine line, long now, IJoinedEventSink sink)
    {
        pending.LastAdded = now;
        if (!pending.IsActive)
        {
            pending.Start(line, _rule.StartMode(line.Content), _maxBytes, _chunk);
            return;
        }

        var verdict = _rule.Classify(line.Content, pending.CurrentMode, out var mode);
        if (verdict == LineVerdict.Tentative && pending.HeldCount >= MaxHeldLines)
        {
            verdict = LineVerdict.Start;
            mode = _rule.StartMode(line.Content);
        }

        switch (verdict)
        {
            case LineVerdict.Continue:
                pending.ConfirmHeld(_maxBytes);
                if (pending.Lines >= _maxLines)
                {
                    // Cut at the line limit: the rest goes on as a new event of the same kind.
                    Emit(pending, sink);
                    pending.Start(line, mode, _maxBytes, _chunk);
                }
                else
                {
                    pending.Append(line, mode, _maxBytes);
                }

                return;
            case LineVerdict.Tentative:
                pending.Hold(line, mode);
                return;
        }

        if (pending.HeldCount == 0)
        {
            Emit(pending, sink);
            pending.Start(line, mode, _maxBytes, _chunk);
            return;
        }

        // The held lines did not belong: the event ends before them, and they are taken again as lines of their own.
        var held = pending.TakeHeld();
        Emit(pending, sink);
        foreach (var h in held)
        {
            Process(pending, h.ToLine(), now, sink);
        }

        Process(pending, line, now, sink);
    }

    private void FlushStream(PendingEvent pending, long now, IJoinedEventSink sink)
    {
        while (pending.IsActive)
        {
            var held = pending.TakeHeld();
            Emit(pending, sink);
            foreach (var h in held)
            {
                Process(pending, h.ToLine(), now, sink);
            }
        }

        pending.Release();
    }

    private void Emit(PendingEvent pending, IJoinedEventSink sink)
    {
        try
        {
            Send(new LogEntry
            {
                Timestamp = pending.Timestamp,
                Stream = pending.Stream,
                Offset = pending.FirstOffset,
                Content = pending.Content,
                OriginalLength = pending.OriginalLength,
                Partial = pending.Partial,
            }, pending.LastEnd, pending, sink);
        }
        finally
        {
            pending.Clear();
        }
    }

    /// <summary>
    /// The event that ends first among those whose last line came at or before <paramref name="addedBy"/> (flushed in
    /// that order, they need not wait for each other).
    /// </summary>
    private PendingEvent? Oldest(long addedBy)
    {
        PendingEvent? oldest = null;
        foreach (var pending in _events)
        {
            if (pending is { IsActive: true } && pending.LastAdded <= addedBy && (oldest is null || pending.LastEnd < oldest.LastEnd))
            {
                oldest = pending;
            }
        }

        return oldest;
    }
}
