using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Shared.Relp;

namespace Shared.Transport;

/// <summary>
/// Sends syslog over RELP (librelp's protocol, as rsyslog's omrelp does) on one <see cref="RelpClientSession"/> at a
/// time. Messages travel in <see cref="RelpDelivery"/>s; the window of unanswered messages spans deliveries
/// (<see cref="PostAsync"/> sends the next one while earlier ones wait for answers), so a receiver that never answers
/// holds at most <see cref="SyslogSenderOptions.RelpWindowSize"/> messages here and the caller's next post waits.
/// When the session breaks (reset, <c>serverclose</c>, no answer for <see cref="SyslogSenderOptions.RelpAckTimeout"/>)
/// the messages it had not answered go back to their deliveries and are sent again, in order of the deliveries the
/// caller passes, on the next session: a receiver may see a message twice (it stored it but its answer was lost),
/// never a gap. A message answered with an error (<c>500</c>) is counted in <see cref="SyslogSenderCounters.Refused"/>,
/// logged and not sent again (see docs/relp-sending.md for why). One caller at a time; concurrent calls wait for each
/// other.
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
    private readonly TlsClientContext? _tls;
    private readonly RelpOwedMessages _owed = new();
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
        _endpoint = options.Tls is null ? $"relp://{options.Host}:{options.Port}" : $"relp+tls://{options.Host}:{options.Port}";
        _refusals = new LogRateLimiter(_timeProvider, TimeSpan.FromSeconds(10));
        _sessionOptions = new RelpClientOptions
        {
            WindowSize = options.RelpWindowSize,
            WindowFor = options.RelpKubeSyslogWindowSize is int ours
                ? offers => offers.IsKubeSyslog ? ours : options.RelpWindowSize
                : null,
            Acknowledged = OnAnswer,
        };
        _tls = TlsClientContext.Create(options, _endpoint, _logger, _timeProvider);
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

    /// <summary>
    /// Returns once the receiver answered every message;
    /// after a broken session only the unanswered ones are sent again.
    /// </summary>
    public ValueTask SendAsync(IReadOnlyList<ReadOnlyMemory<byte>> messages, CancellationToken cancellationToken = default) =>
        SendAsync(new RelpDelivery(messages), cancellationToken);

    /// <summary>
    /// Sends what <paramref name="delivery"/> has not had answered and returns once all of it is answered. Throws
    /// <see cref="IOException"/> (after the retries of <see cref="SyslogSenderOptions.MaxRetryAttempts"/>) when the
    /// session broke: the delivery then knows what is left, for another attempt here or at another sender.
    /// </summary>
    public ValueTask SendAsync(RelpDelivery delivery, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return delivery.IsComplete ? default : RunAsync([delivery], wait: true, until: null, cancellationToken);
    }

    /// <summary>
    /// Sends, in the order given, every message of <paramref name="deliveries"/> that is neither answered nor waiting
    /// on the session for its answer, and returns once all of them are on the session, without waiting for answers:
    /// the next post keeps the window full while these are answered. Waits while the window is full. Pass every
    /// delivery that is not complete yet, oldest first: after a broken session their unanswered messages are sent
    /// again first, in that order. Throws <see cref="IOException"/> (after the retries) when the session broke.
    /// </summary>
    public ValueTask PostAsync(IReadOnlyList<RelpDelivery> deliveries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        return RunAsync(deliveries, wait: false, until: null, cancellationToken);
    }

    /// <summary>
    /// Returns once the first of <paramref name="deliveries"/> is complete, or once <paramref name="until"/> completes
    /// (e.g. the caller has more to post). When the session ends first, the unanswered messages of every delivery
    /// go out again, in order, on a new session (within the retries), else <see cref="IOException"/>.
    /// </summary>
    public ValueTask WaitAsync(IReadOnlyList<RelpDelivery> deliveries, Task? until = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        return deliveries.Count == 0 || deliveries[0].IsComplete ? default : RunAsync(deliveries, wait: true, until, cancellationToken);
    }

    /// <summary>
    /// Closes the session (with RELP <c>close</c> when nothing waits for an answer); a send in progress is cancelled.
    /// </summary>
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
            _tls?.Dispose();
            _disposing.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask RunAsync(IReadOnlyList<RelpDelivery> deliveries, bool wait, Task? until, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);
            try
            {
                await _pipeline.ExecuteAsync(
                    static (state, token) => state.Sender.AttemptAsync(state.Deliveries, state.Wait, state.Until, token),
                    (Sender: this, Deliveries: deliveries, Wait: wait, Until: until),
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

    private async ValueTask AttemptAsync(IReadOnlyList<RelpDelivery> deliveries, bool wait, Task? until, CancellationToken cancellationToken)
    {
        try
        {
            if (_session is { Completion.IsCompleted: true })
            {
                await DropSessionAsync().ConfigureAwait(false);
            }

            await SendOwedAsync(deliveries, cancellationToken).ConfigureAwait(false);
            if (wait)
            {
                await WaitForFirstAsync(deliveries, until, cancellationToken).ConfigureAwait(false);
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
            // Also on cancellation: the caller may give up these deliveries,
            // and the session's answers would go to them.
            await DropSessionAsync().ConfigureAwait(false);
            if (e is not OperationCanceledException)
            {
                RecordError(e);
            }

            throw;
        }
    }

    private async ValueTask SendOwedAsync(IReadOnlyList<RelpDelivery> deliveries, CancellationToken cancellationToken)
    {
        _owed.Reset(deliveries);
        if (!_owed.HasNext)
        {
            return;
        }

        // One call per post, not per message: the session frames what the window has room for, writes it in one
        // write and waits for room while more is owed. A message is taken from its delivery only when it goes on the
        // session, so after a broken session TakeUnacknowledged gives back every message taken and not answered.
        var session = _session ?? await OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        await session.SendSyslogAsync(_owed, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask WaitForFirstAsync(IReadOnlyList<RelpDelivery> deliveries, Task? until, CancellationToken cancellationToken)
    {
        if (deliveries.Count == 0 || deliveries[0].IsComplete)
        {
            return;
        }

        var first = deliveries[0];

        // Its unanswered messages are on this session: SendOwedAsync put every one there.
        var ended = (_session ?? throw new RelpSessionException("No session holds the unanswered messages.")).Completion;
        var any = until is null ? Task.WhenAny(first.Answered, ended) : Task.WhenAny(first.Answered, ended, until);
        await any.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (first.IsComplete || until is { IsCompleted: true })
        {
            return;
        }

        await ended.ConfigureAwait(false);
        throw new RelpSessionException("The session ended before every message was answered.");
    }

    private void RecordError(Exception exception) => Counters.RecordError(exception.Message, _timeProvider.GetUtcNow());
}
