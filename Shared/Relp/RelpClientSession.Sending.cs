namespace Shared.Relp;

/// <summary>
/// Sending: <c>syslog</c> commands within the window, flushing, and waiting for the window to open.
/// </summary>
public sealed partial class RelpClientSession
{
    /// <summary>
    /// Sends one <c>syslog</c> command, first waiting while the window is full; returns its txnr. The message's memory
    /// is kept (not copied) until its answer arrives or <see cref="TakeUnacknowledged"/> hands it back: do not reuse
    /// it. With <paramref name="flush"/> false the frame may stay buffered until the next flush (a full window
    /// flushes). Throws <see cref="RelpSessionException"/> once the session has ended.
    /// </summary>
    public ValueTask<int> SendSyslogAsync(
        ReadOnlyMemory<byte> message,
        object? state = null,
        bool flush = true,
        CancellationToken cancellationToken = default) =>
        SendSyslogAsync(message, state, 0, flush, cancellationToken);

    /// <summary>
    /// Same, with a number that comes back with the answer as <see cref="RelpAcknowledgement.Tag"/> (e.g. the message's
    /// index in its batch).
    /// </summary>
    public async ValueTask<int> SendSyslogAsync(
        ReadOnlyMemory<byte> message,
        object? state,
        int tag,
        bool flush,
        CancellationToken cancellationToken = default)
    {
        ThrowIfEnded();
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfEndedOrClosing();
            if (Unacknowledged >= _window)
            {
                // Frames left buffered would never be answered, and the window would never open: send them first, in
                // one write. The receive loop wakes this wait once per read of answers, not once per answer, so the
                // frames the next answers make room for go out together too.
                await FlushCoreAsync(cancellationToken).ConfigureAwait(false);
                await WaitForUnacknowledgedAsync(_window - 1, cancellationToken).ConfigureAwait(false);
                ThrowIfEndedOrClosing();
            }

            int txnr = _nextTxnr;
            _nextTxnr = RelpTxnr.Next(txnr);
            lock (_unackedLock)
            {
                _unacked.Add(new RelpPendingMessage(txnr, message, state, tag));
            }

            RelpFrameWriter.Write(_output, txnr, "syslog"u8, message.Span);
            if (flush)
            {
                await FlushCoreAsync(cancellationToken).ConfigureAwait(false);
            }

            return txnr;
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>
    /// Sends a <c>syslog</c> command for each message <paramref name="source"/> hands out, in order, taking one only
    /// when the window has room for it; waits while the window is full and returns once the source is empty and every
    /// frame is written. Each message's memory is kept as with
    /// <see cref="SendSyslogAsync(ReadOnlyMemory{byte}, object?, int, bool, CancellationToken)"/>, whose per-message
    /// lock, window check and await this spares: a window of frames costs one of each. Throws
    /// <see cref="RelpSessionException"/> once the session has ended (what was taken is then in
    /// <see cref="TakeUnacknowledged"/>).
    /// </summary>
    public async ValueTask SendSyslogAsync(IRelpMessageSource source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ThrowIfEnded();
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                ThrowIfEndedOrClosing();
                if (!WriteWhileRoom(source))
                {
                    break;
                }

                // The window is full: what is buffered goes out in one write, then the answers make room.
                await FlushCoreAsync(cancellationToken).ConfigureAwait(false);
                await WaitForUnacknowledgedAsync(_window - 1, cancellationToken).ConfigureAwait(false);
            }

            await FlushCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>
    /// Frames messages from the source while the window has room; true when it is full and more may come.
    /// </summary>
    private bool WriteWhileRoom(IRelpMessageSource source)
    {
        // One lock per window of frames, not one per frame. Answers only make room, so the room seen here is there
        // until it is used; the receive loop waits at most for these frames to be copied into the pipe, and every
        // entry is in place before the flush that lets its answer come.
        lock (_unackedLock)
        {
            for (int room = _window - _unacked.Count; room > 0; room--)
            {
                if (!source.TryTakeNext(out var message, out object? state, out int tag))
                {
                    return false;
                }

                int txnr = _nextTxnr;
                _nextTxnr = RelpTxnr.Next(txnr);
                _unacked.Add(new RelpPendingMessage(txnr, message, state, tag));
                RelpFrameWriter.Write(_output, txnr, "syslog"u8, message.Span);
            }
        }

        return source.HasNext;
    }

    /// <summary>
    /// Sends what <see cref="SendSyslogAsync(ReadOnlyMemory{byte}, object?, int, bool, CancellationToken)"/> left
    /// buffered.
    /// </summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await FlushCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async ValueTask FlushCoreAsync(CancellationToken cancellationToken)
    {
        try
        {
            var result = await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (result.IsCompleted)
            {
                throw new RelpSessionException("The connection is closed.");
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            var ended = new RelpSessionException("Sending failed: " + ex.Message, ex);
            End(ended);
            throw ended;
        }
    }

    /// <summary>
    /// Waits until at most <paramref name="count"/> commands are unanswered; throws once the session has ended.
    /// </summary>
    private async Task WaitForUnacknowledgedAsync(int count, CancellationToken cancellationToken)
    {
        Task waiting;
        lock (_unackedLock)
        {
            if (_unacked.Count <= count)
            {
                return;
            }

            // Without RunContinuationsAsynchronously: WakeWaiter completes it on the receive loop, which then runs this
            // send on its own thread until the send waits again. A hop through the thread pool per window of answers
            // (a worker woken, spinning in sched_yield) cost more CPU than the frames it sent.
            _waiter = new TaskCompletionSource();
            _waitingFor = count;
            waiting = _waiter.Task;
        }

        try
        {
            // End completes the waiter too; one that came before the waiter was set is seen here.
            ThrowIfEnded();
            await waiting.WaitAsync(cancellationToken).ConfigureAwait(false);
            ThrowIfEnded();
        }
        finally
        {
            lock (_unackedLock)
            {
                if (_waiter?.Task == waiting)
                {
                    _waiter = null;
                }
            }
        }
    }

    /// <summary>On the receive loop, after the answers of one read: wakes the waiter if it has its room now.</summary>
    private void WakeWaiter()
    {
        TaskCompletionSource? waiter;
        lock (_unackedLock)
        {
            waiter = _waiter;
            if (waiter is null || _unacked.Count > _waitingFor)
            {
                return;
            }

            _waiter = null;
        }

        waiter.TrySetResult();
    }
}
