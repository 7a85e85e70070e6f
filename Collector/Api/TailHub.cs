using Collector.Search;
using Collector.Storage;

namespace Collector.Api;

/// <summary>
/// Fans written lines out to tail clients: reads the writer's copies (<see cref="WrittenLines"/>), parses each line
/// once and offers it to every subscription whose query matches. Offering never waits (each client's queue drops its
/// oldest), so one slow client cannot slow the others or ingest.
/// </summary>
public sealed class TailHub(WrittenLines written, ILogger<TailHub> logger) : BackgroundService
{
    private readonly Lock _lock = new();
    private TailSubscription[] _subscriptions = [];
    private long _lastUpstreamDrops;

    public int Count => Volatile.Read(ref _subscriptions).Length;

    /// <summary>
    /// Subscribes and returns the seam: every line after (generation, offset) of the current file is delivered live.
    /// </summary>
    public (TailSubscription Subscription, int Generation, long End) Subscribe(LogQuery query)
    {
        lock (_lock)
        {
            var (generation, end) = written.AddListener();
            var subscription = new TailSubscription(query, generation, end);
            _subscriptions = [.. _subscriptions, subscription];
            return (subscription, generation, end);
        }
    }

    public void Unsubscribe(TailSubscription subscription)
    {
        lock (_lock)
        {
            _subscriptions = [.. _subscriptions.Where(s => s != subscription)];
        }

        written.RemoveListener();
        subscription.Queue.Writer.TryComplete();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var segment in written.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                var subscriptions = Volatile.Read(ref _subscriptions);
                long upstream = written.DroppedLines;
                if (upstream != _lastUpstreamDrops)
                {
                    foreach (var s in subscriptions)
                    {
                        s.DroppedUpstream(upstream - _lastUpstreamDrops);
                    }

                    _lastUpstreamDrops = upstream;
                }

                if (subscriptions.Length > 0)
                {
                    Deliver(segment, subscriptions);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // Tails stop getting lines; storage is unaffected. Logged, never rethrown into the host.
            ApiLog.TailHubFailed(logger, ex);
        }
    }

    private static void Deliver(WrittenSegment segment, TailSubscription[] subscriptions)
    {
        // A subscription that began after this segment was queued has it in its history already.
        subscriptions = Array.FindAll(subscriptions, s => s.IsLive(segment.Generation, segment.Offset));
        ReadOnlySpan<byte> data = segment.Data;
        while (!data.IsEmpty)
        {
            int lf = data.IndexOf((byte)'\n');
            var line = lf < 0 ? data : data[..lf];
            data = lf < 0 ? default : data[(lf + 1)..];
            var parsed = StoredLine.Parse(line);
            LogEntry? plain = null;
            foreach (var s in subscriptions)
            {
                if (!s.Query.MatchesStream(line, parsed))
                {
                    continue;
                }

                LogEntry entry;
                if (s.Query.Pipeline is null)
                {
                    // Queries without a pipeline share one entry per line (the plain tail's path).
                    entry = plain ??= LogEntry.Of(line, parsed);
                }
                else if (s.Query.Run(line, parsed) is { } piped)
                {
                    // The labels and line after this client's pipeline, as a search returns them (Loki's tailer
                    // sends the extracted labels and line_format's line too).
                    entry = LogEntry.Of(line, parsed, piped);
                }
                else
                {
                    continue;
                }

                // DropOldest: always accepted; a full queue loses its oldest entry, which the callback counts.
                s.Queue.Writer.TryWrite(entry);
            }
        }
    }
}
