using System.Net;
using System.Net.Sockets;
using Collector.Configuration;
using Collector.Observability;
using Collector.Relay;
using Collector.Storage;
using Shared.Framing;

namespace Collector.Ingest;

/// <summary>
/// The UDP listener: one datagram is one message. A dedicated thread receives with blocking calls (cheapest per
/// datagram) into a large socket buffer, so bursts wait in the kernel instead of being dropped. UDP cannot pause
/// its senders: when storage is slow this thread waits, the socket buffer fills and the kernel's drops are counted
/// (<see cref="UdpDrops"/>) and logged.
/// </summary>
public sealed class UdpReceiver(
    StorageChannel queue,
    LineFormatter formatter,
    IngestMetrics metrics,
    CollectorOptions options,
    ListenerState listeners,
    TimeProvider time,
    RelayFanout relays,
    ILogger<UdpReceiver> logger,
    Sources.SourceMarks origins) : IHostedService, IDisposable
{
    private const int MaxDatagram = 65535;
    private static readonly TimeSpan QuietFlush = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan MaxBatchAge = TimeSpan.FromMilliseconds(50);

    // On a timer, not in the receive loop: a burst that overflowed the buffer and then silence must still be logged.
    private static readonly TimeSpan DropCheckInterval = TimeSpan.FromSeconds(10);

    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Socket? _socket;
    private volatile bool _stopping;
    private long _reportedDrops;
    private ITimer? _dropCheck;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Udp is null)
        {
            _stopped.TrySetResult();
            return Task.CompletedTask;
        }

        var socket = new Socket(options.Udp.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (options.Udp.Address.Equals(IPAddress.IPv6Any))
        {
            // "[::]:514" takes IPv4 too, as Kestrel's TCP listener on [::] does.
            socket.DualMode = true;
        }

        SetReceiveBuffer(socket, options.UdpReceiveBuffer);
        try
        {
            socket.Bind(options.Udp);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new IOException(StartFailure.CannotBind("Udp", options.Udp, ex.Message), ex);
        }

        _socket = socket;
        listeners.Udp = (IPEndPoint)socket.LocalEndPoint!;
        IngestLog.UdpListening(logger, listeners.Udp, socket.ReceiveBufferSize);
        var thread = new Thread(Run) { IsBackground = true, Name = "udp-receive" };
        thread.Start();
        _dropCheck = time.CreateTimer(_ => ReportDrops(), null, DropCheckInterval, DropCheckInterval);
        return Task.CompletedTask;
    }

    /// <summary>Closes the socket; what was already received is stored before this completes.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        _dropCheck?.Dispose();
        _socket?.Dispose();
        await _stopped.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Also reached without <see cref="StopAsync"/>, when another listener failed to start: the loop must end quietly.
    /// </summary>
    public void Dispose()
    {
        _stopping = true;
        _dropCheck?.Dispose();
        _socket?.Dispose();
    }

    /// <summary>Datagrams the kernel dropped for lack of buffer since the socket was opened; -1 if unknown.</summary>
    public long SocketDrops => _socket is { } s ? UdpDrops.Read(s) : 0;

    private void Run()
    {
        try
        {
            while (!_stopping)
            {
                try
                {
                    Receive(_socket!);
                }
                catch (Exception ex) when (_stopping || ex is ObjectDisposedException)
                {
                    // The socket is closed: nothing more can be received. An exception escaping this thread would
                    // abort the process (exit code 134 instead of 1 when the TCP port was taken).
                    break;
                }
                catch (Exception ex)
                {
                    IngestLog.UdpReceiveFailed(logger, ex);
                }
            }
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    /// <summary>
    /// Batches datagrams into chunks without a system call per datagram beyond the receive: while lines are pending
    /// the socket gets a short receive timeout, and the batch goes to storage when the socket is quiet for
    /// <see cref="QuietFlush"/>, when a chunk is full, or when its oldest line is <see cref="MaxBatchAge"/> old
    /// (inside the 100 ms flush policy). An idle socket blocks without a timeout.
    /// </summary>
    private void Receive(Socket socket)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(MaxDatagram);
        var address = new SocketAddress(socket.AddressFamily);
        var lastAddress = new SocketAddress(socket.AddressFamily);
        using var session = new IngestSession(formatter, queue, metrics.Udp, options.MaxMessageSize, relays) { Origins = origins };
        long batchStarted = 0;
        var now = time.GetLocalNow();
        int sinceClock = 0;
        socket.ReceiveTimeout = 0;
        while (true)
        {
            int length;
            try
            {
                length = socket.ReceiveFrom(buffer, SocketFlags.None, address);
            }
            catch (SocketException ex) when (!_stopping && ex.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
            {
                Flush(session, socket);
                continue;
            }
            catch (Exception ex) when (_stopping && ex is SocketException or ObjectDisposedException)
            {
                Wait(session.FlushAsync());
                return;
            }

            if (!address.Equals(lastAddress))
            {
                address.Buffer.CopyTo(lastAddress.Buffer);
                lastAddress.Size = address.Size;
                session.Peer = PeerName.Of(address);
            }

            // The clock is read per batch and every 64 datagrams, not per datagram.
            if (!session.HasPending)
            {
                batchStarted = Environment.TickCount64;
                now = time.GetLocalNow();
                sinceClock = 0;
                SetReceiveTimeout(socket, QuietFlush);
            }
            else if (++sinceClock == 64)
            {
                now = time.GetLocalNow();
                sinceClock = 0;
            }

            if (length > 0)
            {
                bool truncated = length > options.MaxMessageSize;
                var frame = buffer.AsSpan(0, truncated ? options.MaxMessageSize : length);
                session.Add(frame, SyslogFraming.LineFeed, truncated, truncated ? length : -1, now);
            }

            if (session.HasFullChunk || Environment.TickCount64 - batchStarted >= MaxBatchAge.TotalMilliseconds)
            {
                Flush(session, socket);
            }
        }
    }

    private static void Flush(IngestSession session, Socket socket)
    {
        Wait(session.FlushAsync());
        SetReceiveTimeout(socket, TimeSpan.Zero);
    }

    /// <summary>
    /// A socket closed by the stop is noticed by the next receive, which stores what is pending first.
    /// </summary>
    private static void SetReceiveTimeout(Socket socket, TimeSpan timeout)
    {
        try
        {
            socket.ReceiveTimeout = (int)timeout.TotalMilliseconds;
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void ReportDrops()
    {
        long drops = SocketDrops;
        if (drops > _reportedDrops)
        {
            IngestLog.UdpDropped(logger, drops - _reportedDrops, drops);
            _reportedDrops = drops;
        }
    }

    private static void Wait(ValueTask pending)
    {
        if (!pending.IsCompletedSuccessfully)
        {
            pending.AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>
    /// Linux caps SO_RCVBUF at net.core.rmem_max (often 208 KiB); SO_RCVBUFFORCE passes the cap with CAP_NET_ADMIN,
    /// as rsyslog's imudp does. Whatever we get is logged.
    /// </summary>
    private void SetReceiveBuffer(Socket socket, int requested)
    {
        if (requested <= 0)
        {
            return;
        }

        // Linux doubles the value (the kernel's bookkeeping share) and reports the doubled size: 8 MiB asked for
        // reads back as 16 MiB when granted, and as 2 × rmem_max when capped.
        long granted = OperatingSystem.IsLinux() ? requested * 2L : requested;
        socket.ReceiveBufferSize = requested;
        if (socket.ReceiveBufferSize < granted && OperatingSystem.IsLinux())
        {
            const int SolSocket = 1, SoRcvBufForce = 33;
            try
            {
                socket.SetRawSocketOption(SolSocket, SoRcvBufForce, BitConverter.GetBytes(requested));
            }
            catch (SocketException)
            {
            }
        }

        if (socket.ReceiveBufferSize < granted)
        {
            IngestLog.UdpBufferClamped(logger, socket.ReceiveBufferSize, granted);
        }
    }
}
