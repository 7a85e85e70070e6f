using System.IO.Pipelines;

namespace Shared.Relp;

/// <summary>
/// The sending side of one RELP session over a connected stream (TCP or TLS), as librelp's client speaks it:
/// <c>open</c> with our offers, <c>syslog</c> commands within a window of unanswered ones, each answer matched to its
/// txnr, <c>close</c>. The session does not reconnect: when it ends (<see cref="Completion"/> faults on a reset, a
/// <c>serverclose</c> or a protocol error), <see cref="TakeUnacknowledged"/> gives the messages to send again, in
/// order, on a new session. Sends are serialised; answers are reported through
/// <see cref="RelpClientOptions.Acknowledged"/>.
/// </summary>
public sealed partial class RelpClientSession : IAsyncDisposable
{
    private const int OutputSegmentSize = 64 * 1024;

    private readonly Stream _stream;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly RelpClientOptions _options;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _ended = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<RelpResponse> _openAnswer = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<RelpResponse> _closeAnswer = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Guarded by _unacked itself: the receive loop removes, senders add. The waiter is a sender (or CloseAsync)
    // waiting until at most _waitingFor commands are unanswered.
    private readonly LinkedList<RelpPendingMessage> _unacked = new();
    private TaskCompletionSource? _waiter;
    private int _waitingFor;
    private int _nextTxnr = RelpTxnr.First;
    private int _openTxnr = -1;
    private int _closeTxnr = -1;
    private volatile bool _closing;
    private Task _receiving = Task.CompletedTask;

    private RelpClientSession(Stream stream, RelpClientOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.WindowSize, 1);
        _stream = stream;
        _options = options;
        _input = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        // The pipe writes segment by segment: 64 KiB segments let a window of frames go out in one or a few writes
        // instead of one per 4 KiB (the default).
        _output = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: OutputSegmentSize, leaveOpen: true));
    }

    /// <summary>The server's offers from its answer to <c>open</c>.</summary>
    public RelpOffers ServerOffers { get; private set; } = new();

    /// <summary>
    /// Completes when the session has ended: successfully after <see cref="CloseAsync"/>, otherwise with a
    /// <see cref="RelpSessionException"/>.
    /// </summary>
    public Task Completion => _completion.Task;

    /// <summary>Commands sent and not answered (never more than the window).</summary>
    public int Unacknowledged
    {
        get
        {
            lock (_unacked)
            {
                return _unacked.Count;
            }
        }
    }

    /// <summary>The txnr the next command gets.</summary>
    public int NextTxnr => _nextTxnr;

    /// <summary>
    /// Opens a session on <paramref name="stream"/> (connected, not yet used): sends <c>open</c> and waits for the
    /// answer, which must be <c>200</c> with a <c>relp_version</c> and <c>commands=syslog</c>. The session owns the
    /// stream.
    /// </summary>
    public static Task<RelpClientSession> OpenAsync(Stream stream, RelpClientOptions options, CancellationToken cancellationToken = default) =>
        OpenAsync(stream, options, RelpTxnr.First, cancellationToken);

    /// <summary>
    /// Same, with the first txnr given (tests of the wrap at 999,999,999; a real session starts at 1).
    /// </summary>
    internal static async Task<RelpClientSession> OpenAsync(
        Stream stream, RelpClientOptions options, int firstTxnr, CancellationToken cancellationToken)
    {
        var session = new RelpClientSession(stream, options) { _nextTxnr = firstTxnr };
        try
        {
            session._receiving = Task.Run(session.ReceiveAsync, CancellationToken.None);
            await session.HandshakeAsync(cancellationToken).ConfigureAwait(false);
            return session;
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

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
            if (Unacknowledged >= _options.WindowSize)
            {
                // Frames left buffered would never be answered, and the window would never open: send them first, in
                // one write. The receive loop wakes this wait once per read of answers, not once per answer, so the
                // frames the next answers make room for go out together too.
                await FlushCoreAsync(cancellationToken).ConfigureAwait(false);
                await WaitForUnacknowledgedAsync(_options.WindowSize - 1, cancellationToken).ConfigureAwait(false);
                ThrowIfEndedOrClosing();
            }

            int txnr = _nextTxnr;
            _nextTxnr = RelpTxnr.Next(txnr);
            lock (_unacked)
            {
                _unacked.AddLast(new RelpPendingMessage(txnr, message, state, tag));
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

    /// <summary>
    /// Ends the session cleanly: waits until every command is answered, sends <c>close</c> and waits for its answer,
    /// then closes the stream. <see cref="Completion"/> then completes successfully.
    /// </summary>
    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await FlushCoreAsync(cancellationToken).ConfigureAwait(false);
            await WaitForUnacknowledgedAsync(0, cancellationToken).ConfigureAwait(false);
            _closeTxnr = _nextTxnr;
            _nextTxnr = RelpTxnr.Next(_closeTxnr);
            RelpFrameWriter.Write(_output, _closeTxnr, "close"u8, default);
            await FlushCoreAsync(cancellationToken).ConfigureAwait(false);
            await _closeAnswer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }

        End(null);
        await _stream.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// After the session ended: the commands never answered, in send order, for re-sending on a new session. They
    /// are handed over once (the list is emptied).
    /// </summary>
    public IReadOnlyList<RelpPendingMessage> TakeUnacknowledged()
    {
        if (!_completion.Task.IsCompleted)
        {
            throw new InvalidOperationException("The session is still running; its unanswered commands may yet be answered.");
        }

        lock (_unacked)
        {
            var pending = _unacked.ToList();
            _unacked.Clear();
            return pending;
        }
    }

    /// <summary>
    /// Aborts the session (without <c>close</c>) unless it has ended; unanswered commands stay for
    /// <see cref="TakeUnacknowledged"/>.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        End(new RelpSessionException("The session was disposed."));
        await _stream.DisposeAsync().ConfigureAwait(false);
        await _receiving.ConfigureAwait(false);
        await _input.CompleteAsync().ConfigureAwait(false);

        // With an exception the writer drops what it still buffers instead of flushing it into the disposed stream
        // (which throws ObjectDisposedException when frames were sent with flush: false).
        await _output.CompleteAsync(_completion.Task.Exception?.InnerException).ConfigureAwait(false);
        _ended.Dispose();
    }

    private async Task HandshakeAsync(CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _openTxnr = _nextTxnr;
            _nextTxnr = RelpTxnr.Next(_openTxnr);
            RelpFrameWriter.Write(_output, _openTxnr, "open"u8, _options.Offers.ToBytes());
            await FlushCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }

        var answer = await _openAnswer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (!answer.IsOk)
        {
            throw new RelpSessionException($"The server refused the session: {answer}");
        }

        if (!RelpOffers.TryParse(answer.Body.Span, out var offers, out string? error))
        {
            throw new RelpSessionException($"The server's offers cannot be read: {error}");
        }

        if (offers.Version is null)
        {
            // doc/relp.md: "If it is not, the client MUST close the connection."
            throw new RelpSessionException("The server's answer to open has no relp_version offer.");
        }

        if (!offers.OffersSyslog)
        {
            throw new RelpSessionException($"The server does not offer the syslog command (commands={string.Join(',', offers.Commands)}).");
        }

        ServerOffers = offers;
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
        lock (_unacked)
        {
            if (_unacked.Count <= count)
            {
                return;
            }

            _waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waitingFor = count;
            waiting = _waiter.Task;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _ended.Token);
        try
        {
            await waiting.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            ThrowIfEnded();
            throw;
        }
        finally
        {
            lock (_unacked)
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
        lock (_unacked)
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

    private void ThrowIfEndedOrClosing()
    {
        ThrowIfEnded();
        if (_ended.IsCancellationRequested || _closeTxnr >= 0)
        {
            throw new InvalidOperationException("The session is closing.");
        }
    }

    private void ThrowIfEnded()
    {
        if (_completion.Task.IsFaulted)
        {
            throw _completion.Task.Exception!.InnerException!;
        }

        if (_completion.Task.IsCompleted)
        {
            throw new RelpSessionException("The session is closed.");
        }
    }

    /// <summary>Ends the session once: null after a clean close, else the reason. Wakes every waiter.</summary>
    private void End(Exception? reason)
    {
        bool first = reason is null ? _completion.TrySetResult() : _completion.TrySetException(reason);
        if (!first)
        {
            return;
        }

        var failure = reason ?? new RelpSessionException("The session is closed.");
        _openAnswer.TrySetException(failure);
        _closeAnswer.TrySetException(failure);
        _ = _completion.Task.Exception; // observed here: a session that ends while nobody awaits it is not an unobserved task exception
        _ended.Cancel();
        _input.CancelPendingRead();
    }
}
