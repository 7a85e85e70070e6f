using System.Net;
using System.Net.Sockets;

namespace TestSupport;

/// <summary>
/// A hand-written TCP peer on 127.0.0.1 that keeps the raw bytes of each accepted connection, in accept order,
/// and can close or reset them on demand: the other end of a sender under test, without any framing logic.
/// </summary>
public sealed partial class LoopbackTcpReceiver : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Connection> _connections = [];
    private readonly Func<int, long?> _resetAfterBytes;
    private readonly Task _acceptLoop;

    private LoopbackTcpReceiver(int port, Func<int, long?>? resetAfterBytes)
    {
        _resetAfterBytes = resetAfterBytes ?? (_ => null);
        PortReservations.Release(port);
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptAsync();
    }

    public int Port { get; }

    public int ConnectionCount
    {
        get
        {
            lock (_connections)
            {
                return _connections.Count;
            }
        }
    }

    /// <summary>The bytes received on each connection so far, in accept order.</summary>
    public IReadOnlyList<byte[]> Connections
    {
        get
        {
            lock (_connections)
            {
                return _connections.Select(c => c.Snapshot()).ToList();
            }
        }
    }

    public long TotalBytes
    {
        get
        {
            lock (_connections)
            {
                return _connections.Sum(c => c.Length);
            }
        }
    }

    /// <param name="port">0 for any free port, or one from <see cref="ReservePort"/> to start listening late.</param>
    /// <param name="resetAfterBytes">For connection i (0-based), stop reading and reset it (RST) once this many bytes
    /// arrived.</param>
    public static LoopbackTcpReceiver Start(int port = 0, Func<int, long?>? resetAfterBytes = null) => new(port, resetAfterBytes);

    /// <summary>
    /// A loopback port on which nothing listens, held (<see cref="PortReservations"/>) until a receiver of this
    /// support library starts on it, so that a test class running in parallel cannot take it meanwhile.
    /// </summary>
    public static int ReservePort() => PortReservations.Reserve();

    public bool IsClosed(int connection)
    {
        lock (_connections)
        {
            return _connections[connection].Closed.IsCompleted;
        }
    }

    /// <summary>
    /// Closes every open connection with FIN after reading what had arrived, as a receiver restarting cleanly does.
    /// </summary>
    public Task CloseConnectionsAsync()
    {
        Connection[] open;
        lock (_connections)
        {
            open = [.. _connections];
        }

        foreach (var connection in open)
        {
            connection.Close(reset: false);
        }

        return Task.WhenAll(open.Select(c => c.Closed));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        Connection[] all;
        lock (_connections)
        {
            all = [.. _connections];
        }

        foreach (var connection in all)
        {
            connection.Close(reset: true);
        }

        await Task.WhenAll(all.Select(c => c.Closed));
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_connections)
            {
                _connections.Add(new Connection(socket, _resetAfterBytes(_connections.Count)));
            }
        }
    }
}
