using Collector.Relay.Configuration;
using Collector.Relay.Queue;
using Collector.Search;
using Polly;
using Shared.Transport;

namespace Collector.Relay;

/// <summary>
/// One external syslog target. Ingest hands it chunks of encoded messages (<see cref="Enqueue"/>, never blocking);
/// its own loop takes them from its <see cref="RelayQueue"/> and sends each chunk until it is written, reconnecting
/// with exponential backoff and jitter (Polly), so a dead or slow target only fills its own queue. A chunk leaves the
/// queue's accounting only once sent: at a stop it is still in hand and goes back first. With <c>protocol: relp</c>
/// "sent" means answered by the receiver: the chunk stays in hand (and goes to the spill at a stop) until every message
/// of it was acknowledged, and after a broken session only its unanswered messages are sent again.
/// </summary>
public sealed class RelayTarget : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly ISyslogSender _sender;
    private readonly ResiliencePipeline _pipeline;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _graceCut = new();
    private readonly List<ReadOnlyMemory<byte>> _messages = [];
    private Task _loop = Task.CompletedTask;
    private RelayChunk? _inFlight;
    private RelpDelivery? _delivery;
    private long _accepted;
    private long _sent;
    private long _sendFailures;
    private long _droppedAtStop;
    private int _failures;
    private string? _lastError;
    private DateTimeOffset? _lastErrorAt;
    private readonly TimeProvider _time;

    public RelayTarget(
        RelayDefinition definition,
        RelayQueue queue,
        ILogger logger,
        TimeProvider time,
        RelayChunk? carried = null,
        long sentBefore = 0)
    {
        Definition = definition;
        Queue = queue;
        Filter = definition.Filter is { } text ? QueryParser.Parse(text) : null;
        _logger = logger;
        _time = time;
        _inFlight = carried;
        _sent = sentBefore;
        _sender = SyslogSender.Create(SenderOptions(definition), logger, time);
        _pipeline = SendRetry.Build(time, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), int.MaxValue, args =>
        {
            string error = args.Outcome.Exception?.Message ?? "unknown error";
            Volatile.Write(ref _lastError, error);
            _lastErrorAt = _time.GetUtcNow();
            Interlocked.Increment(ref _sendFailures);
            if (_failures++ < 3 || _failures % 50 == 0)
            {
                RelayLog.SendFailed(_logger, Name, Definition.Address, _failures, args.RetryDelay, error);
            }
        });
        if (definition.Tls is { CheckServerName: false })
        {
            RelayLog.ServerNameNotChecked(logger, Name, definition.Address);
        }

        if (definition.DeprecatedKeys is { } deprecated)
        {
            RelayLog.DeprecatedKeys(logger, Name, deprecated);
        }
    }

    public string Name => Definition.Name;

    public RelayDefinition Definition { get; }

    /// <summary>Messages must match this query to be relayed; null relays everything.</summary>
    public LogQuery? Filter { get; }

    public RelayQueue Queue { get; }

    public RelayState State { get; private set; } = RelayState.Running;

    /// <summary>Messages handed to this relay by ingest.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Messages written to the target's socket (RELP: answered by the target).</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>
    /// Messages lost: queue overflow, spill errors, and what a stop could neither deliver nor persist.
    /// </summary>
    public long Dropped => Queue.DroppedMessages + Interlocked.Read(ref _droppedAtStop);

    /// <summary>Messages waiting: in the queue (memory and disk) and the chunk being sent.</summary>
    public long Queued => Queue.QueuedMessages + (Volatile.Read(ref _inFlight)?.Messages ?? 0);

    public long SendFailures => Interlocked.Read(ref _sendFailures);

    public bool Connected => _sender.IsConnected;

    public long Reconnects => _sender.Counters.Reconnects;

    public long Truncated => _sender.Counters.Truncated;

    /// <summary>RELP: messages the target answered with an error; counted and logged, not sent again.</summary>
    public long Refused => _sender.Counters.Refused;

    /// <summary>RELP: unanswered messages sent again after a session ended.</summary>
    public long Resent => _sender.Counters.Resent;

    public string? LastError => LatestError().Message;

    public DateTimeOffset? LastErrorAt => LatestError().At;

    /// <summary>
    /// Takes a chunk from an ingest loop; never blocks (a full queue spills or drops its oldest, counted).
    /// </summary>
    public void Enqueue(RelayChunk chunk)
    {
        Interlocked.Add(ref _accepted, chunk.Messages);
        Queue.Enqueue(chunk);
    }

    public void Start()
    {
        RelayLog.Started(
            _logger,
            Name,
            Definition.Protocol.ToString().ToLowerInvariant(),
            Definition.Address,
            Definition.Format.ToString().ToLowerInvariant(),
            Definition.Filter ?? "none");
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>
    /// Removed from the configuration: takes nothing new, sends what it holds for up to <paramref name="timeout"/>,
    /// then drops the rest (counted) and deletes its spill files.
    /// </summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        State = RelayState.Draining;
        Queue.Complete();
        await StopLoopAsync(timeout).ConfigureAwait(false);
        long left = Queued;
        if (Volatile.Read(ref _inFlight) is { } chunk)
        {
            Interlocked.Add(ref _droppedAtStop, chunk.Messages);
            chunk.Return();
            _inFlight = null;
        }

        Queue.DiscardAll();
        Finish("removed", left, "dropped");
    }

    /// <summary>
    /// Ends the grace of a <see cref="DrainAsync"/> in progress at once: the relay was added again under its name, and
    /// its successor must not wait for a target that may be down. What it still holds is dropped and counted.
    /// </summary>
    public void CutDrainShort()
    {
        try
        {
            _graceCut.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The drain has already ended.
        }
    }

    /// <summary>
    /// The Collector stops: sends for up to <paramref name="timeout"/>, then writes what is left to the spill
    /// directory (delivered first after a restart) or, without spill, counts it as dropped.
    /// </summary>
    public async Task ShutdownAsync(TimeSpan timeout)
    {
        Queue.Complete();
        await StopLoopAsync(timeout).ConfigureAwait(false);
        long left = Queued;
        var chunk = Interlocked.Exchange(ref _inFlight, null);
        await Queue.PersistAsync(chunk).ConfigureAwait(false);
        Finish("shutdown", left, Definition.Spill ? "kept in the spill directory" : "dropped");
    }

    /// <summary>
    /// Changed in a way its queue survives (same format and queue settings): stops sending and hands the queue and the
    /// chunk in hand to its successor, so nothing is lost or sent twice. Ingest may still enqueue here meanwhile: it
    /// lands in the same queue.
    /// </summary>
    public async Task<RelayChunk?> HandOverAsync()
    {
        await StopLoopAsync(TimeSpan.Zero).ConfigureAwait(false);
        State = RelayState.Stopped;
        return Interlocked.Exchange(ref _inFlight, null);
    }

    /// <summary>
    /// Closes the connection; call after <see cref="DrainAsync"/>, <see cref="ShutdownAsync"/> or
    /// <see cref="HandOverAsync"/>.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await StopLoopAsync(TimeSpan.Zero).ConfigureAwait(false);
        await _sender.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
        _graceCut.Dispose();
    }

    /// <summary>
    /// The newer of this relay's failed sends and what its connection learnt on its own: a TLS 1.3 receiver refuses our
    /// client certificate with an alert after the handshake, so the send it refuses succeeds and only the
    /// alert says why.
    /// </summary>
    private (string? Message, DateTimeOffset? At) LatestError()
    {
        (string? Message, DateTimeOffset? At) own = (Volatile.Read(ref _lastError), _lastErrorAt);
        var counters = _sender.Counters;
        return counters.LastErrorAt is { } at && (own.At is null || at > own.At) ? (counters.LastError, at) : own;
    }

    private async Task RunAsync(CancellationToken stop)
    {
        try
        {
            while (true)
            {
                var chunk = Volatile.Read(ref _inFlight) ?? await Queue.TakeAsync(stop).ConfigureAwait(false);
                if (chunk is null)
                {
                    return;
                }

                Volatile.Write(ref _inFlight, chunk);
                _messages.Clear();
                chunk.CopyMessagesTo(_messages);
                _delivery = _sender is RelpSyslogSender ? new RelpDelivery(_messages) : null;
                await _pipeline.ExecuteAsync(static (relay, token) => relay.SendOnceAsync(token), this, stop).ConfigureAwait(false);
                Interlocked.Add(ref _sent, chunk.Messages);
                Volatile.Write(ref _inFlight, null);
                chunk.Return();
                if (_failures > 0)
                {
                    RelayLog.Recovered(_logger, Name, Definition.Address, _failures);
                    _failures = 0;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped: the chunk in hand stays in _inFlight for whoever comes next.
        }
    }

    private ValueTask SendOnceAsync(CancellationToken cancellationToken) => _delivery is { } delivery
        ? ((RelpSyslogSender)_sender).SendAsync(delivery, cancellationToken)
        : _sender.SendAsync(_messages, cancellationToken);

    private async Task StopLoopAsync(TimeSpan grace)
    {
        if (grace > TimeSpan.Zero)
        {
            await Task.WhenAny(_loop, Task.Delay(grace, _time, _graceCut.Token)).ConfigureAwait(false);
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
    }

    private void Finish(string reason, long left, string fate)
    {
        State = RelayState.Stopped;
        if (left > 0)
        {
            RelayLog.Undelivered(_logger, Name, left, fate);
        }

        RelayLog.Stopped(_logger, Name, reason, Sent, Dropped, left);
    }

    private static SyslogSenderOptions SenderOptions(RelayDefinition definition) => new()
    {
        Host = definition.Host,
        Port = definition.Port,
        Protocol = definition.Protocol,
        Framing = definition.Framing,
        MaxDatagramSize = definition.MaxDatagramSize,

        // One try per send: the relay's pipeline retries, so it sees (and reports) every failure.
        MaxRetryAttempts = 0,
        Tls = definition.Tls is { } tls
            ? new SyslogTlsOptions
            {
                CaFile = tls.CaFile,
                CertificateFile = tls.CertificateFile,
                KeyFile = tls.KeyFile,
                ServerName = tls.ServerName,
                CheckServerName = tls.CheckServerName,
            }
            : null,
    };
}
