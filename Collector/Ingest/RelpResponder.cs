using System.Buffers;
using System.IO.Pipelines;
using Shared.Relp;

namespace Collector.Ingest;

/// <summary>
/// Writes a RELP session's answers in command order. A run of <c>200 OK</c> waits for its write acknowledgement,
/// so a sender learns a message is safe only once it is in the messages file.
/// No task of its own: whoever makes answers ready sends them. The writer's thread (or the fdatasync thread), when it
/// completes a run's <see cref="RelpRunAcknowledgement"/>, writes the <c>200 OK</c>s into this connection's pipe and
/// flushes it (Kestrel's socket loop does the send), so an answer costs no thread-pool hop, no task and no channel.
/// One thread at a time writes to the pipe (<c>_sending</c>); another that finds answers ready leaves them to it.
/// The queue is bounded: a client that does not read its answers stops the read loop (<see cref="EnqueueAsync"/>
/// waits), and the window of unanswered commands stops the client.
/// </summary>
internal sealed class RelpResponder(PipeWriter output, RelpCounters counters)
{
    private const int QueueCapacity = 256;

    private readonly object _gate = new();
    private readonly Queue<RelpReply> _queue = new();
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource? _room;
    private TaskCompletionSource? _idle;
    private bool _sending;
    private bool _flushing;
    private bool _detached;
    private bool _ended;
    private bool _abandoned;

    /// <summary>
    /// Completes once the answer marked <see cref="RelpReply.End"/> is sent; cancelled when a run's lines were
    /// abandoned by the writer (they are never answered), faulted when the pipe failed.
    /// </summary>
    public Task Finished => _finished.Task;

    /// <summary>Queues an answer and sends what is ready; waits while the queue is full.</summary>
    public ValueTask EnqueueAsync(RelpReply reply)
    {
        lock (_gate)
        {
            if (_finished.Task.IsCompleted)
            {
                return ValueTask.CompletedTask;
            }

            _queue.Enqueue(reply);
        }

        Send();
        lock (_gate)
        {
            if (_queue.Count < QueueCapacity || _finished.Task.IsCompleted)
            {
                return ValueTask.CompletedTask;
            }

            _room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return new ValueTask(_room.Task);
        }
    }

    /// <summary>
    /// Sends the answers that are ready, unless another thread is sending (it sends these too). Never throws: it runs
    /// on the writer's thread, and a failure ends this session only (<see cref="Finished"/>).
    /// </summary>
    public void Send()
    {
        lock (_gate)
        {
            if (_sending)
            {
                return;
            }

            _sending = true;
        }

        SendReady();
    }

    /// <summary>
    /// The connection is ending: nothing more is written to its pipe (Kestrel completes it once the handler returns).
    /// Completes when no thread is writing to it any longer; a flush stuck on a client that does not read is cancelled.
    /// </summary>
    public Task DetachAsync()
    {
        lock (_gate)
        {
            _detached = true;
            _finished.TrySetCanceled();
            ReleaseRoom();
            if (!_sending)
            {
                return Task.CompletedTask;
            }

            if (_flushing)
            {
                output.CancelPendingFlush();
            }

            _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _idle.Task;
        }
    }

    /// <summary>
    /// Writes and flushes ready answers until none is left; the caller owns the pipe (<c>_sending</c>).
    /// </summary>
    private void SendReady()
    {
        try
        {
            while (true)
            {
                lock (_gate)
                {
                    if (_detached || _finished.Task.IsCompleted || !WriteReady())
                    {
                        StopSending();
                        return;
                    }

                    _flushing = true;
                }

                var flush = output.FlushAsync();
                if (!flush.IsCompleted)
                {
                    // The client is slow to read its answers: wait off this thread (the writer's), keeping the pipe.
                    _ = SendAfterFlushAsync(flush);
                    return;
                }

                flush.GetAwaiter().GetResult();
                Flushed();
            }
        }
        catch (Exception ex)
        {
            Fail(ex);
        }
    }

    private async Task SendAfterFlushAsync(ValueTask<FlushResult> flush)
    {
        try
        {
            await flush.ConfigureAwait(false);
            Flushed();
        }
        catch (Exception ex)
        {
            Fail(ex);
            return;
        }

        SendReady();
    }

    private void Flushed()
    {
        lock (_gate)
        {
            _flushing = false;
            if (_ended)
            {
                _finished.TrySetResult();
            }
            else if (_abandoned)
            {
                _finished.TrySetCanceled();
            }
        }
    }

    /// <summary>
    /// Writes the answers at the head of the queue that are ready (under the lock: a few bytes each); false when none.
    /// </summary>
    private bool WriteReady()
    {
        bool wrote = false;
        while (!_ended && !_abandoned && _queue.TryPeek(out var reply))
        {
            if (reply.Acknowledgement is { } ack)
            {
                if (ack.IsAbandoned)
                {
                    // Not written: these and every later command stay unanswered, and the sender sends them again.
                    _abandoned = true;
                    wrote = true;
                    break;
                }

                if (!ack.IsWritten)
                {
                    break;
                }

                int txnr = reply.FirstTxnr;
                for (int i = 0; i < reply.Count; i++)
                {
                    RelpFrameWriter.WriteOk(output, txnr);
                    txnr = RelpTxnr.Next(txnr);
                }

                counters.Acknowledge(reply.Count);
            }

            if (reply.Frame is { } frame)
            {
                BuffersExtensions.Write(output, frame);
            }

            if (reply.End)
            {
                // librelp's server hints serverclose before it closes a session it has not seen break.
                BuffersExtensions.Write(output, RelpFrameWriter.ServerCloseFrame);
                _ended = true;
            }

            _queue.Dequeue();
            wrote = true;
        }

        if (_queue.Count < QueueCapacity)
        {
            ReleaseRoom();
        }

        return wrote;
    }

    private void Fail(Exception ex)
    {
        lock (_gate)
        {
            _finished.TrySetException(ex);
            StopSending();
        }
    }

    private void StopSending()
    {
        _sending = false;
        _flushing = false;
        if (_finished.Task.IsCompleted || _queue.Count < QueueCapacity)
        {
            ReleaseRoom();
        }

        _idle?.TrySetResult();
    }

    private void ReleaseRoom()
    {
        _room?.TrySetResult();
        _room = null;
    }
}
