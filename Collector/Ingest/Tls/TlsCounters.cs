using System.Collections.Concurrent;

namespace Collector.Ingest.Tls;

/// <summary>
/// Counters of the TLS listeners and of <c>--identity-from-cert</c>, for /metrics, and the rate limit of their log
/// lines: one Warning per reason per interval, with the number of like events in between, so a misconfigured fleet
/// retrying every second costs a line every <see cref="LogInterval"/>, not one per attempt.
/// </summary>
public sealed class TlsCounters(TimeProvider time)
{
    /// <summary>Distinct peers counted by name; beyond this they share the series <c>peer="other"</c>.</summary>
    public const int MaxPeers = 1000;

    public static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, Counter> _failures = new(TlsFailure.All.Select(r => KeyValuePair.Create(r, new Counter())));
    private readonly ConcurrentDictionary<(string Peer, bool Rejected), Counter> _mismatches = new();
    private readonly ConcurrentDictionary<string, Limit> _logLimits = new();
    private long _handshakes;
    private long _handshakesWaiting;
    private long _handshakesInProgress;
    private long _streamErrors;
    private long _reloads;
    private long _reloadFailures;

    public long Handshakes => Interlocked.Read(ref _handshakes);

    /// <summary>Connections that sent their ClientHello and wait for a <see cref="TlsHandshakeSlots"/> slot.</summary>
    public long HandshakesWaiting => Interlocked.Read(ref _handshakesWaiting);

    /// <summary>Handshakes holding a slot now.</summary>
    public long HandshakesInProgress => Interlocked.Read(ref _handshakesInProgress);

    public long StreamErrors => Interlocked.Read(ref _streamErrors);

    public long Reloads => Interlocked.Read(ref _reloads);

    public long ReloadFailures => Interlocked.Read(ref _reloadFailures);

    /// <summary>The serving certificate's expiry as Unix seconds (0 before one is loaded).</summary>
    public long CertificateNotAfter { get; set; }

    public IEnumerable<(string Reason, long Count)> Failures =>
        _failures.Select(p => (p.Key, p.Value.Value)).OrderBy(p => p.Key, StringComparer.Ordinal);

    public IEnumerable<(string Peer, bool Rejected, long Count)> Mismatches =>
        _mismatches.Select(p => (p.Key.Peer, p.Key.Rejected, p.Value.Value)).OrderBy(p => p.Peer, StringComparer.Ordinal);

    public long Failed(string reason) => Interlocked.Increment(ref _failures.GetOrAdd(reason, _ => new Counter()).Value);

    public void HandshakeDone() => Interlocked.Increment(ref _handshakes);

    public void HandshakeWaiting(int delta) => Interlocked.Add(ref _handshakesWaiting, delta);

    public void HandshakeStarted(int delta) => Interlocked.Add(ref _handshakesInProgress, delta);

    public void StreamError() => Interlocked.Increment(ref _streamErrors);

    public void Reloaded() => Interlocked.Increment(ref _reloads);

    public void ReloadFailed() => Interlocked.Increment(ref _reloadFailures);

    public void Mismatch(string peer, bool rejected)
    {
        if (_mismatches.Count >= MaxPeers && !_mismatches.ContainsKey((peer, rejected)))
        {
            peer = "other";
        }

        Interlocked.Increment(ref _mismatches.GetOrAdd((peer, rejected), _ => new Counter()).Value);
    }

    /// <summary>
    /// True when an event of <paramref name="reason"/> may be logged now; <paramref name="suppressed"/> is how many
    /// were not logged since the last one.
    /// </summary>
    public bool ShouldLog(string reason, out long suppressed)
    {
        var limit = _logLimits.GetOrAdd(reason, _ => new Limit());
        lock (limit)
        {
            long now = time.GetTimestamp();
            if (limit.Logged && time.GetElapsedTime(limit.LastLogged, now) < LogInterval)
            {
                limit.Suppressed++;
                suppressed = 0;
                return false;
            }

            suppressed = limit.Suppressed;
            limit.Suppressed = 0;
            limit.Logged = true;
            limit.LastLogged = now;
            return true;
        }
    }

    private sealed class Counter
    {
        public long Value;
    }

    private sealed class Limit
    {
        public bool Logged;
        public long LastLogged;
        public long Suppressed;
    }
}
