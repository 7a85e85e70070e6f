using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Shared.Relp;

namespace Shared.Transport;

/// <summary>
/// Sends syslog over RELP (librelp's protocol, as rsyslog's omrelp does) on one <see cref="RelpClientSession"/> at a
/// time. A send completes only when the receiver has answered every message of it: pipelined within the session's
/// window, so a receiver that never answers holds at most <see cref="SyslogSenderOptions.RelpWindowSize"/> messages
/// here. When the session breaks (reset, <c>serverclose</c>, no answer for <see cref="SyslogSenderOptions.RelpAckTimeout"/>)
/// the messages it had not answered go back to their <see cref="RelpDelivery"/> and are sent again, in order, on the
/// next session: a receiver may see a message twice (it stored it but its answer was lost), never a gap.
/// A message answered with an error (<c>500</c>) is counted in <see cref="SyslogSenderCounters.Refused"/>, logged and
/// not sent again (see docs/relp-sending.md for why). One caller at a time; concurrent calls wait for each other.
/// </summary>
public sealed partial class RelpSyslogSender : ISyslogSender
{
    private readonly SyslogSenderOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly ResiliencePipeline _pipeline;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _disposing = new();
    private readonly RelpClientOptions _sessionOptions;
    private readonly LogRateLimiter _refusals;
    private readonly string _endpoint;
    private RelpClientSession? _session;
    private Stream? _stream;
    private RelpDelivery? _current;
    private long _answers;
    private int _taken = -1;
    private bool _hasConnected;
    private bool _disposed;

    public RelpSyslogSender(SyslogSenderOptions options, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        SyslogSenderOptionsValidator.ThrowIfInvalid(options);
        if (options.Protocol != SyslogTransportProtocol.Relp)
        {
            throw new ArgumentException($"Protocol must be Relp for a RELP sender, was {options.Protocol}", nameof(options));
        }

        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _endpoint = $"relp://{options.Host}:{options.Port}";
        _refusals = new LogRateLimiter(_timeProvider, TimeSpan.FromSeconds(10));
        _sessionOptions = new RelpClientOptions { WindowSize = options.RelpWindowSize, Acknowledged = OnAnswer };
        _pipeline = _options.MaxRetryAttempts == 0
            ? ResiliencePipeline.Empty
            : SendRetry.Build(_timeProvider, _options.ReconnectDelay, _options.MaxReconnectDelay, _options.MaxRetryAttempts, args =>
                TransportLog.RelpRetrying(_logger, _endpoint, args.AttemptNumber + 1, args.RetryDelay, args.Outcome.Exception));
    }

    public SyslogSenderCounters Counters { get; } = new();

    /// <summary>A session is open and has not ended.</summary>
    public bool IsConnected => Volatile.Read(ref _session) is { Completion.IsCompleted: false };

    public ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default) =>
        SendAsync(new RelpDelivery([message]), cancellationToken);

    /// <summary>Returns once the receiver answered every message; after a broken session only the unanswered ones are sent again.</summary>
    public ValueTask SendAsync(IReadOnlyList<ReadOnlyMemory<byte>> messages, CancellationToken cancellationToken = default) =>
        SendAsync(new RelpDelivery(messages), cancellationToken);

    /// <summary>
    /// Sends what <paramref name="delivery"/> has not had answered and returns once all of it is answered. Throws
    /// <see cref="IOException"/> (after the retries of <see cref="SyslogSenderOptions.MaxRetryAttempts"/>) when the
    /// session broke: the delivery then knows what is left, for another attempt here or at another sender.
    /// </summary>
    public async ValueTask SendAsync(RelpDelivery delivery, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        if (delivery.IsComplete)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);
            try
            {
                await _pipeline.ExecuteAsync(
                    static (state, token) => state.Sender.SendOnceAsync(state.Delivery, token),
                    (Sender: this, Delivery: delivery),
                    linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Closes the session (with RELP <c>close</c> when nothing waits for an answer); a send in progress is cancelled.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposing.IsCancellationRequested)
        {
            return;
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            if (_session is { Completion.IsCompleted: false, Unacknowledged: 0 } session)
            {
                try
                {
                    await session.CloseAsync().WaitAsync(_options.ConnectTimeout, _timeProvider).ConfigureAwait(false);
                }
                catch (Exception e) when (e is RelpSessionException or TimeoutException or IOException)
                {
                    // The session is aborted below; nothing was waiting for an answer.
                }
            }

            await DropSessionAsync().ConfigureAwait(false);
            _disposing.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask SendOnceAsync(RelpDelivery delivery, CancellationToken cancellationToken)
    {
        try
        {
            if (_session is { Completion.IsCompleted: true })
            {
                await DropSessionAsync().ConfigureAwait(false);
            }

            var session = _session ?? await OpenSessionAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _current, delivery);
            using var watchdog = StartWatchdog(session, _stream!);
            while (delivery.TryTakeNext(out int index))
            {
                // Frames are left in the pipe until the last one or a full window: one write per window, not per message.
                // A send that throws may or may not have registered the message with the session: see DropSessionAsync.
                _taken = index;
                await session.SendSyslogAsync(delivery[index], Box(index), flush: !delivery.HasNext, cancellationToken).ConfigureAwait(false);
                _taken = -1;
            }

            await Task.WhenAny(delivery.Answered, session.Completion).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (!delivery.IsComplete)
            {
                await session.Completion.ConfigureAwait(false);
                throw new RelpSessionException("The session ended before every message was answered.");
            }
        }
        catch (RelpSessionException e)
        {
            await DropSessionAsync().ConfigureAwait(false);
            var error = new IOException($"RELP session with {_options.Host}:{_options.Port} ended: {e.Message}", e);
            RecordError(error);
            throw error;
        }
        catch (Exception e)
        {
            // Also on cancellation: answers still to come would be credited to the next caller's delivery.
            await DropSessionAsync().ConfigureAwait(false);
            if (e is not OperationCanceledException)
            {
                RecordError(e);
            }

            throw;
        }
    }

    private async ValueTask<RelpClientSession> OpenSessionAsync(CancellationToken cancellationToken)
    {
        var socket = await TcpConnection.ConnectSocketAsync(_options, _timeProvider, cancellationToken).ConfigureAwait(false);
        var stream = new NetworkStream(socket, ownsSocket: true);
        using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        RelpClientSession session;
        try
        {
            session = await RelpClientSession.OpenAsync(stream, _sessionOptions, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw new TimeoutException($"{_endpoint} did not answer RELP open within {_options.ConnectTimeout}.");
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        if (_hasConnected)
        {
            Counters.AddReconnect();
        }

        _hasConnected = true;
        _stream = stream;
        Volatile.Write(ref _session, session);
        TransportLog.RelpOpened(_logger, _endpoint, socket.RemoteEndPoint, string.Join(',', session.ServerOffers.Software));
        return session;
    }

    /// <summary>Ends the session (if any) and gives what it left unanswered back to the delivery it belonged to.</summary>
    private async ValueTask DropSessionAsync()
    {
        if (_session is not { } session)
        {
            return;
        }

        Volatile.Write(ref _session, null);
        _stream = null;

        // After DisposeAsync the receive loop has stopped: no answer can arrive while the rest is taken.
        await session.DisposeAsync().ConfigureAwait(false);
        var unanswered = session.TakeUnacknowledged().Select(m => (int)m.State!).ToList();
        if (unanswered.Count > 0)
        {
            Counters.AddResent(unanswered.Count);
        }

        // Taken from the delivery, but the session ended before it took the message (waiting for the window).
        if (_taken >= 0 && !unanswered.Contains(_taken))
        {
            unanswered.Add(_taken);
        }

        _taken = -1;
        if (unanswered.Count > 0 && Volatile.Read(ref _current) is { } delivery)
        {
            delivery.Return(unanswered);
        }
    }

    /// <summary>
    /// Gives up a session whose receiver answered nothing for a whole <see cref="SyslogSenderOptions.RelpAckTimeout"/>
    /// while messages waited (omrelp's timeout): closing the stream ends the session, and its waiters with it.
    /// </summary>
    private ITimer StartWatchdog(RelpClientSession session, Stream stream)
    {
        long seen = Interlocked.Read(ref _answers);
        return _timeProvider.CreateTimer(
            _ =>
            {
                long now = Interlocked.Read(ref _answers);
                if (now == seen && session.Unacknowledged > 0)
                {
                    TransportLog.RelpStalled(_logger, _endpoint, session.Unacknowledged, _options.RelpAckTimeout);
                    stream.Dispose();
                }

                seen = now;
            },
            null,
            _options.RelpAckTimeout,
            _options.RelpAckTimeout);
    }

    // On the session's receive loop, in the order the answers arrive.
    private void OnAnswer(RelpAcknowledgement answer)
    {
        Interlocked.Increment(ref _answers);
        var delivery = Volatile.Read(ref _current)!;
        var message = delivery[(int)answer.State!];
        if (answer.IsOk)
        {
            Counters.AddSent(1, message.Length);
        }
        else
        {
            Counters.AddRefused();
            if (_refusals.TryAcquire(out long refused))
            {
                TransportLog.RelpRefused(_logger, _endpoint, refused, answer.Response.ToString(), Preview(message.Span));
            }
        }

        delivery.Answer(answer.Response);
    }

    private void RecordError(Exception exception) => Counters.RecordError(exception.Message, _timeProvider.GetUtcNow());

    private static string Preview(ReadOnlySpan<byte> message)
    {
        var head = System.Text.Encoding.UTF8.GetString(message[..Math.Min(message.Length, 80)]);
        return string.Concat(head.Select(c => char.IsControl(c) ? '?' : c));
    }
}
