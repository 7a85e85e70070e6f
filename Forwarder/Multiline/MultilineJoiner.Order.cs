using Forwarder.Parsing;

namespace Forwarder.Multiline;

/// <summary>
/// The order events leave in: by the end of their last line. A message's origin is the file range from the previous
/// message's end to its own (docs/sources.md), and the Collector takes a message ending at or before what it stored for
/// a re-send; so ends must only grow, or a later event gets an empty range, which is never taken for a re-send and is
/// stored twice when a Forwarder restarted after a crash sends it again. A complete event therefore waits while an
/// event of another stream is still open whose last line ends before it (that one may end there); it goes as soon as
/// that event grows past it or completes, at the latest after the flush timeout; and when more events wait than an
/// event may have lines, the events they wait for are sent as they are. Waiting events keep their first line out of
/// the checkpoint (<see cref="PendingOffset"/>).
/// </summary>
/// <remarks>
/// Ordering by the first line instead cannot keep ends growing: a trace on stderr that began before a stdout line and
/// ends after it would have to be sent before it, and the stdout line's end is the smaller.
/// </remarks>
public sealed partial class MultilineJoiner
{
    /// <summary>Waiting events kept for reuse, at most.</summary>
    private const int MaxSpare = 32;

    /// <summary>
    /// A spare keeps its buffer up to this size while the file is being written (renting and returning one per waiting
    /// line cost more than the copy), so at most 32 KiB per file; all go back once its streams are quiet.
    /// </summary>
    private const int MaxSpareBytes = 1024;

    // Sorted by End; equal ends keep their arrival order.
    private readonly List<WaitingEvent> _waiting = [];
    private readonly Stack<WaitingEvent> _spare = new();

    /// <summary>
    /// Sends one complete event ending at <paramref name="end"/> now, after the waiting ones that end before it, if no
    /// open event (other than <paramref name="completing"/>, the one it was built in) may end before it; else keeps it.
    /// </summary>
    private void Send(in LogEntry entry, long end, PendingEvent? completing, IJoinedEventSink sink)
    {
        long open = OpenEnd(completing);
        if (_waiting.Count > 0)
        {
            SendWaiting(Math.Min(open, end), sink);
        }

        if (end <= open && (_waiting.Count == 0 || _waiting[0].End >= end))
        {
            sink.Emit(entry, end);
            return;
        }

        int at = _waiting.Count;
        while (at > 0 && _waiting[at - 1].End > end)
        {
            at--;
        }

        var waiting = _spare.Count > 0 ? _spare.Pop() : new WaitingEvent();
        waiting.Set(entry, end, _chunk);
        _waiting.Insert(at, waiting);
    }

    /// <summary>Sends the waiting events no open event may end before any more.</summary>
    private void SendWaiting(IJoinedEventSink sink)
    {
        if (_waiting.Count > 0)
        {
            SendWaiting(OpenEnd(null), sink);
        }
    }

    private void SendWaiting(long upTo, IJoinedEventSink sink)
    {
        int sent = 0;
        try
        {
            while (sent < _waiting.Count && _waiting[sent].End <= upTo)
            {
                var waiting = _waiting[sent++];
                sink.Emit(waiting.ToEntry(), waiting.End);
            }
        }
        finally
        {
            Recycle(sent);
        }
    }

    /// <summary>Takes the first <paramref name="count"/> waiting events away, keeping a few for reuse.</summary>
    private void Recycle(int count)
    {
        if (count == 0)
        {
            return;
        }

        for (int i = 0; i < count; i++)
        {
            if (_spare.Count < MaxSpare)
            {
                _waiting[i].ReleaseIfLargerThan(MaxSpareBytes);
                _spare.Push(_waiting[i]);
            }
            else
            {
                _waiting[i].Release();
            }
        }

        _waiting.RemoveRange(0, count);
    }

    /// <summary>Gives the spares' buffers back once nothing is open or waits (the file's streams went quiet).</summary>
    private void ReleaseSparesWhenIdle()
    {
        if (_waiting.Count > 0 || NextFlushAt is not null)
        {
            return;
        }

        foreach (var spare in _spare)
        {
            spare.Release();
        }
    }

    /// <summary>
    /// More events wait than an event may have lines: the open events they wait for are sent as they are, as the line
    /// limit would cut them, so what waits stays bounded however fast the other stream writes.
    /// </summary>
    private void SendBlockers(long now, IJoinedEventSink sink)
    {
        while (_waiting.Count > _maxLines && FirstToEnd(_waiting[0].End) is { } blocker)
        {
            FlushStream(blocker, now, sink);
            SendWaiting(sink);
        }
    }

    /// <summary>The open event that may end first, if it may end before <paramref name="end"/>.</summary>
    private PendingEvent? FirstToEnd(long end)
    {
        PendingEvent? first = null;
        foreach (var pending in _events)
        {
            if (pending is { IsActive: true } && pending.LastEnd < end && (first is null || pending.LastEnd < first.LastEnd))
            {
                first = pending;
            }
        }

        return first;
    }

    /// <summary>The earliest end an open event other than <paramref name="except"/> may still have.</summary>
    private long OpenEnd(PendingEvent? except)
    {
        long end = long.MaxValue;
        foreach (var pending in _events)
        {
            if (pending is { IsActive: true } && pending != except && pending.LastEnd < end)
            {
                end = pending.LastEnd;
            }
        }

        return end;
    }
}
