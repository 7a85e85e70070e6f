using System.Collections.Concurrent;
using System.IO.Pipelines;
using Collector.Configuration;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Collector.Ingest;

/// <summary>
/// Open TCP connections: enforces the connection limit (a connection over it is closed at once and counted) and
/// closes connections idle longer than the idle timeout, checked by one timer rather than a timer per connection.
/// </summary>
public sealed class ConnectionTracker : IDisposable
{
    private readonly ConcurrentDictionary<Lease, byte> _open = new();
    private readonly int _limit;
    private readonly TimeSpan _idleTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer? _sweeper;
    private long _accepted;
    private long _rejected;
    private long _idleClosed;
    private int _count;

    public ConnectionTracker(CollectorOptions options, TimeProvider time, ILogger<ConnectionTracker> logger)
    {
        _limit = options.MaxConnections;
        _idleTimeout = options.IdleTimeout;
        _time = time;
        _logger = logger;
        if (_idleTimeout > TimeSpan.Zero)
        {
            var period = TimeSpan.FromTicks(Math.Clamp(_idleTimeout.Ticks / 4, TimeSpan.TicksPerMillisecond * 100, TimeSpan.TicksPerSecond * 5));
            _sweeper = time.CreateTimer(_ => CloseIdle(), null, period, period);
        }
    }

    public int Open => Volatile.Read(ref _count);

    public long Accepted => Interlocked.Read(ref _accepted);

    public long Rejected => Interlocked.Read(ref _rejected);

    public long IdleClosed => Interlocked.Read(ref _idleClosed);

    /// <summary>Registers a connection, or closes it and returns null when the limit is reached.</summary>
    public Lease? TryAdd(ConnectionContext connection)
    {
        if (Interlocked.Increment(ref _count) > _limit)
        {
            Interlocked.Decrement(ref _count);

            // Counted before the close: whoever sees the connection closed sees it counted too.
            long rejected = Interlocked.Increment(ref _rejected);
            connection.Abort(new ConnectionAbortedException("connection limit reached"));
            if ((rejected & (rejected - 1)) == 0)
            {
                IngestLog.ConnectionLimitReached(_logger, _limit, rejected);
            }

            return null;
        }

        Interlocked.Increment(ref _accepted);
        var lease = new Lease(this, connection, _time.GetTimestamp());
        _open.TryAdd(lease, 0);
        return lease;
    }

    /// <summary>
    /// Ends the connection's pending read when the server asks its connections to close (shutdown), so the handler
    /// finishes what it has read and stops, instead of waiting for the peer to send or hang up.
    /// </summary>
    public static CancellationTokenRegistration? StopReadingOnShutdown(ConnectionContext connection) =>
        connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested
            .Register(static state => ((PipeReader)state!).CancelPendingRead(), connection.Transport.Input);

    public void Dispose() => _sweeper?.Dispose();

    private void CloseIdle()
    {
        long now = _time.GetTimestamp();
        foreach (var lease in _open.Keys)
        {
            if (_time.GetElapsedTime(lease.LastActivity, now) > _idleTimeout && lease.TryMarkIdle())
            {
                Interlocked.Increment(ref _idleClosed);
                IngestLog.IdleConnectionClosed(_logger, lease.Connection.ConnectionId, lease.Connection.RemoteEndPoint?.ToString(), _idleTimeout);
                lease.Connection.Abort(new ConnectionAbortedException("idle timeout"));
            }
        }
    }

    private void Remove(Lease lease)
    {
        if (_open.TryRemove(lease, out _))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    /// <summary>One open connection; disposing it frees its place.</summary>
    public sealed class Lease(ConnectionTracker tracker, ConnectionContext connection, long now) : IDisposable
    {
        private long _lastActivity = now;
        private int _idle;

        public long LastActivity => Volatile.Read(ref _lastActivity);

        public ConnectionContext Connection => connection;

        public bool ClosedForIdleness => Volatile.Read(ref _idle) == 1;

        public void Touch() => Volatile.Write(ref _lastActivity, tracker._time.GetTimestamp());

        public bool TryMarkIdle() => Interlocked.CompareExchange(ref _idle, 1, 0) == 0;

        public void Dispose() => tracker.Remove(this);
    }
}
