using Forwarder.Configuration;
using Polly;
using Shared.Transport;

namespace Forwarder.Shipping;

/// <summary>
/// Sends batches, in order, to the first target that takes them, and tells which are delivered, in the same order.
/// Each target's sender tries once; on a failure what is owed goes to the next target in order, with exponential
/// backoff and jitter between attempts, until it is taken or the Forwarder stops.
/// A plain target delivers a batch once it is written to the socket (a TCP connection that broke in the middle of a
/// write may have delivered part of it, which is then sent again whole). A <c>relp://</c> target delivers a batch
/// once it has answered every message of it; batches are pipelined: the next one is sent while earlier ones wait for
/// their answers, so the window stays full. After a failure each batch's <see cref="RelpDelivery"/> knows which of its
/// messages were answered, so only the others are sent again, oldest batch first, to whichever target is next.
/// One caller at a time (the <see cref="Shipper"/>).
/// </summary>
internal sealed class CollectorLink : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly ISyslogSender[] _senders;
    private readonly string[] _names;
    private readonly ResiliencePipeline _pipeline;
    private readonly bool _anyRelp;

    // Oldest first: sent (or being sent) and not yet taken back by the shipper.
    private readonly Queue<InFlightBatch> _inFlight = new();
    private readonly List<RelpDelivery> _owed = [];
    private int _current;
    private int _failures;
    private long _failovers;
    private long _failedAttempts;
    private string? _lastError;

    public CollectorLink(ForwarderOptions options, ILogger<CollectorLink> logger, TimeProvider timeProvider)
    {
        _logger = logger;
        _names = options.Targets.Select(t => t.ToString()).ToArray();
        _senders = options.Targets
            .Select(t => SyslogSender.Create(
                new SyslogSenderOptions
                {
                    Host = t.Host,
                    Port = t.Port,
                    Protocol = t.Protocol,
                    Framing = t.Framing,
                    MaxDatagramSize = options.MaxDatagramSize,
                    RelpWindowSize = options.RelpWindowSize ?? Shared.Relp.RelpClientOptions.DefaultWindowSize,
                    RelpKubeSyslogWindowSize = options.RelpWindowSize is null ? ForwarderOptions.CollectorRelpWindowSize : null,
                    Tls = t.Tls ? options.ClientTls() : null,
                    // One try per target: the pipeline below decides where the next attempt goes and when.
                    MaxRetryAttempts = 0,
                },
                logger,
                timeProvider))
            .ToArray();
        _anyRelp = _senders.Any(s => s is RelpSyslogSender);
        _pipeline = SendRetry.Build(timeProvider, TimeSpan.FromMilliseconds(200), options.MaxRetryDelay, int.MaxValue, args =>
        {
            string failed = _names[_current];
            _failures++;
            Interlocked.Increment(ref _failedAttempts);
            if (_senders.Length > 1)
            {
                _current = (_current + 1) % _senders.Length;
                Interlocked.Increment(ref _failovers);
            }

            Volatile.Write(ref _lastError, args.Outcome.Exception?.Message);
            ShippingLog.SendFailed(_logger, failed, args.AttemptNumber + 1, _names[_current], args.RetryDelay, args.Outcome.Exception);
        });
    }

    public IReadOnlyList<string> Targets => _names;

    /// <summary>The target the next batch goes to (read by /readyz from any thread: an index, read whole).</summary>
    public string Current => _names[Volatile.Read(ref _current)];

    /// <summary>Times a failure moved shipping to the next target.</summary>
    public long Failovers => Interlocked.Read(ref _failovers);

    /// <summary>Sends that failed and were tried again (on the next target, after a backoff).</summary>
    public long FailedAttempts => Interlocked.Read(ref _failedAttempts);

    /// <summary>Why the last attempt to send failed (for /readyz; any thread), or null before any failure.</summary>
    public string? LastError => Volatile.Read(ref _lastError);

    /// <summary>Batches sent and not yet taken back with <see cref="TryTakeDelivered"/>.</summary>
    public int InFlight => _inFlight.Count;

    public IReadOnlyList<SyslogSenderCounters> Counters => _senders.Select(s => s.Counters).ToArray();

    /// <summary>
    /// Sends the batch after those still in flight and returns once a target has it: written to a plain target's
    /// socket, or on the <c>relp://</c> session (its answers may still be due: see <see cref="WaitAsync"/>). A batch
    /// without messages (offsets only) is delivered at once, in its place. Throws only when cancelled.
    /// </summary>
    public async ValueTask SendAsync(OutgoingBatch batch, CancellationToken cancellationToken)
    {
        var item = new InFlightBatch(batch, _anyRelp && batch.Count > 0 ? new RelpDelivery(batch) : null) { Written = batch.Count == 0 };
        _inFlight.Enqueue(item);
        if (!item.IsDelivered)
        {
            await _pipeline.ExecuteAsync(static (link, token) => link.SendOwedAsync(token), this, cancellationToken).ConfigureAwait(false);
        }

        Recovered();
    }

    /// <summary>
    /// The oldest batch in flight, once it is delivered: batches come back in the order they were sent.
    /// </summary>
    public bool TryTakeDelivered(out OutgoingBatch batch)
    {
        if (_inFlight.TryPeek(out var oldest) && oldest.IsDelivered)
        {
            _inFlight.Dequeue();
            batch = oldest.Batch;
            return true;
        }

        batch = null!;
        return false;
    }

    /// <summary>
    /// Returns once the oldest batch in flight is delivered, or once <paramref name="until"/> completes. When the
    /// session breaks meanwhile, what was not answered goes out again (to the next target after a failure), oldest
    /// first. Throws only when cancelled.
    /// </summary>
    public async ValueTask WaitAsync(Task? until, CancellationToken cancellationToken)
    {
        if (!_inFlight.TryPeek(out var oldest) || oldest.IsDelivered)
        {
            return;
        }

        await _pipeline.ExecuteAsync(
            static (state, token) => state.Link.WaitOnceAsync(state.Until, token),
            (Link: this, Until: until),
            cancellationToken).ConfigureAwait(false);
        Recovered();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var sender in _senders)
        {
            await sender.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask SendOwedAsync(CancellationToken cancellationToken)
    {
        if (_senders[_current] is RelpSyslogSender relp)
        {
            await relp.PostAsync(Owed(), cancellationToken).ConfigureAwait(false);
            return;
        }

        // A plain target (maybe after a RELP one failed): what RELP already had answered is not sent again.
        var plain = _senders[_current];
        foreach (var item in _inFlight)
        {
            if (!item.IsDelivered)
            {
                await plain.SendAsync(item.Delivery is null ? item.Batch : item.Delivery.Unanswered(), cancellationToken).ConfigureAwait(false);
                item.Written = true;
            }
        }
    }

    private async ValueTask WaitOnceAsync(Task? until, CancellationToken cancellationToken)
    {
        // After a failure this sends the unanswered messages again (a plain target takes them all and is done).
        await SendOwedAsync(cancellationToken).ConfigureAwait(false);
        if (_senders[_current] is RelpSyslogSender relp)
        {
            await relp.WaitAsync(Owed(), until, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The deliveries not yet delivered, oldest first: the oldest is the one to wait for.</summary>
    private List<RelpDelivery> Owed()
    {
        _owed.Clear();
        foreach (var item in _inFlight)
        {
            if (!item.IsDelivered && item.Delivery is { } delivery)
            {
                _owed.Add(delivery);
            }
        }

        return _owed;
    }

    private void Recovered()
    {
        if (_failures > 0)
        {
            ShippingLog.Recovered(_logger, _names[_current], _failures);
            _failures = 0;
        }
    }
}
