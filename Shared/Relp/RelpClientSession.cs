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

    // Guarded by _unackedLock (a Lock, cheaper than Monitor on an object: taken twice per message): the receive loop
    // removes, senders add. The waiter is a sender (or CloseAsync) waiting until at most _waitingFor commands are
    // unanswered; WakeWaiter or End completes it.
    private readonly Lock _unackedLock = new();
    private readonly RelpUnansweredCommands _unacked;
    private TaskCompletionSource? _waiter;
    private int _waitingFor;

    // The options' WindowSize until open is answered, then what WindowFor chose for this server.
    private int _window;
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
        _window = options.WindowSize;
        _unacked = new RelpUnansweredCommands(options.WindowSize);
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

    /// <summary>
    /// Commands that may be sent and not answered, at most: <see cref="RelpClientOptions.WindowSize"/>, or what
    /// <see cref="RelpClientOptions.WindowFor"/> chose from the server's offers.
    /// </summary>
    public int WindowSize => _window;

    /// <summary>Commands sent and not answered (never more than the window).</summary>
    public int Unacknowledged
    {
        get
        {
            lock (_unackedLock)
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

        lock (_unackedLock)
        {
            return _unacked.TakeAll();
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
        if (_options.WindowFor is { } windowFor)
        {
            int window = windowFor(offers);
            ArgumentOutOfRangeException.ThrowIfLessThan(window, 1, nameof(RelpClientOptions.WindowFor));
            _window = window;
        }
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

        // A send waiting for room throws now. On a pool thread, not inline: the send then drops this session, and that
        // must not run inside whatever ended it (the receive loop, DisposeAsync).
        TaskCompletionSource? waiter;
        lock (_unackedLock)
        {
            waiter = _waiter;
            _waiter = null;
        }

        if (waiter is not null)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static w => w.TrySetResult(), waiter, preferLocal: false);
        }
    }
}
