using Forwarder.Configuration;
using Polly;
using Shared.Transport;

namespace Forwarder.Shipping;

/// <summary>
/// Sends batches to the first target that takes them. Each target's sender tries once; on a failure the batch goes to
/// the next target in order, with exponential backoff and jitter between attempts, until it is written or the
/// Forwarder stops. Only then does the batch commit its file offsets, so a batch is delivered at least once: a TCP
/// connection that broke in the middle of a write may have delivered part of it, which is then sent again whole.
/// A <c>relp://</c> target completes a batch only when it has answered every message of it; after a failure the
/// batch's <see cref="RelpDelivery"/> knows which were answered, so only the others are sent again (to whichever target
/// is next), and the batch's offsets are committed only once all of them are acknowledged.
/// </summary>
internal sealed class CollectorLink : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly ISyslogSender[] _senders;
    private readonly string[] _names;
    private readonly ResiliencePipeline _pipeline;
    private readonly bool _anyRelp;
    private int _current;
    private int _failures;
    private long _failovers;
    private long _failedAttempts;

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
                    RelpWindowSize = options.RelpWindowSize,
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

            ShippingLog.SendFailed(_logger, failed, args.AttemptNumber + 1, _names[_current], args.RetryDelay, args.Outcome.Exception);
        });
    }

    public IReadOnlyList<string> Targets => _names;

    /// <summary>The target the next batch goes to.</summary>
    public string Current => _names[_current];

    /// <summary>Times a failure moved shipping to the next target.</summary>
    public long Failovers => Interlocked.Read(ref _failovers);

    /// <summary>Sends that failed and were tried again (on the next target, after a backoff).</summary>
    public long FailedAttempts => Interlocked.Read(ref _failedAttempts);

    public IReadOnlyList<SyslogSenderCounters> Counters => _senders.Select(s => s.Counters).ToArray();

    /// <summary>
    /// Returns once the batch was written to some target's socket (<c>relp://</c>: answered by the target); throws
    /// only when cancelled.
    /// </summary>
    public async ValueTask SendAsync(OutgoingBatch batch, CancellationToken cancellationToken)
    {
        if (batch.Count > 0)
        {
            var delivery = _anyRelp ? new RelpDelivery(batch) : null;
            await _pipeline.ExecuteAsync(
                static (state, token) => state.Link.SendOnceAsync(state.Batch, state.Delivery, token),
                (Link: this, Batch: batch, Delivery: delivery),
                cancellationToken).ConfigureAwait(false);
        }

        if (_failures > 0)
        {
            ShippingLog.Recovered(_logger, _names[_current], _failures);
            _failures = 0;
        }
    }

    private ValueTask SendOnceAsync(OutgoingBatch batch, RelpDelivery? delivery, CancellationToken cancellationToken) => _senders[_current] switch
    {
        RelpSyslogSender relp => relp.SendAsync(delivery!, cancellationToken),

        // A plain target after a RELP one failed: what RELP already had answered is not sent again.
        var plain => plain.SendAsync(delivery is null ? batch : delivery.Unanswered(), cancellationToken),
    };

    public async ValueTask DisposeAsync()
    {
        foreach (var sender in _senders)
        {
            await sender.DisposeAsync().ConfigureAwait(false);
        }
    }
}
