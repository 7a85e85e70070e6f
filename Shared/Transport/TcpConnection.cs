using System.Net;
using System.Net.Sockets;

namespace Shared.Transport;

/// <summary>
/// One TCP connection to the peer. Writes go through a <see cref="Stream"/> so TLS (an SslStream over it) can be
/// layered on later without touching the sender.
/// </summary>
internal sealed class TcpConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;

    private TcpConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public EndPoint? RemoteEndPoint => _socket.RemoteEndPoint;

    /// <summary>Resolves the host again and tries its addresses in order, each within the connect timeout.</summary>
    public static async ValueTask<TcpConnection> ConnectAsync(SyslogSenderOptions options, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var addresses = await HostResolver.ResolveAsync(options.Host, cancellationToken).ConfigureAwait(false);
        Exception? lastError = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            using var timeout = new CancellationTokenSource(options.ConnectTimeout, timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                Configure(socket, options);
                await socket.ConnectAsync(new IPEndPoint(address, options.Port), linked.Token).ConfigureAwait(false);
                return new TcpConnection(socket);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                socket.Dispose();
                lastError = new TimeoutException($"Connecting to {address}:{options.Port} took longer than {options.ConnectTimeout}.");
            }
            catch (SocketException e)
            {
                socket.Dispose();
                lastError = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw lastError ?? new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>
    /// True when the peer has closed (FIN or RST): readable with nothing to read, the check rsyslog's omfwd makes
    /// before each send. Writing into such a connection succeeds locally and loses the bytes when the RST comes back.
    /// A syslog receiver never sends data, so bytes waiting to be read mean the connection is still open.
    /// </summary>
    public bool IsClosedByPeer()
    {
        try
        {
            return _socket.Poll(0, SelectMode.SelectRead) && _socket.Available == 0;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
    }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) =>
        _stream.WriteAsync(bytes, cancellationToken);

    public ValueTask DisposeAsync() => _stream.DisposeAsync();

    private static void Configure(Socket socket, SyslogSenderOptions options)
    {
        // Batches are written whole, so Nagle only delays the single messages a quiet source sends.
        socket.NoDelay = true;

        // A peer that vanished without FIN/RST (node lost) is found by keepalive instead of never.
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        if (options.SendBufferSize is int size)
        {
            socket.SendBufferSize = size;
        }
    }
}
