using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;

namespace Shared.Transport;

/// <summary>
/// One TCP connection to the peer, plain or with TLS (an SslStream over the socket's stream). The sender only writes;
/// over TLS a background read takes what the peer sends (TLS 1.3 session tickets, alerts, close_notify) so the
/// closed-by-peer check sees an empty receive buffer, as it does on plain TCP.
/// </summary>
internal sealed class TcpConnection : IAsyncDisposable
{
    /// <summary>
    /// A refused TLS 1.3 client hears so within a round trip of its handshake; longer would delay every connect.
    /// </summary>
    private static readonly TimeSpan RefusalWindow = TimeSpan.FromMilliseconds(300);

    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly string _endpoint;
    private readonly Action<IOException>? _onPeerError;
    private readonly Task _drain;
    private volatile bool _drained;
    private volatile bool _disposed;
    private IOException? _peerError;

    private TcpConnection(Socket socket, Stream stream, string endpoint, Action<IOException>? onPeerError)
    {
        _socket = socket;
        _stream = stream;
        _endpoint = endpoint;
        _onPeerError = onPeerError;
        _drain = onPeerError is null ? Task.CompletedTask : DrainAsync();
    }

    public EndPoint? RemoteEndPoint => _socket.RemoteEndPoint;

    /// <summary>
    /// TLS only: why the peer ended the session, e.g. its alert refusing our certificate (TLS 1.3 sends it after our
    /// side of the handshake has completed); null while open or when it closed without an error.
    /// </summary>
    public IOException? PeerError => Volatile.Read(ref _peerError);

    /// <summary>
    /// Resolves the host again and tries its addresses in order, each within the connect timeout; then, with
    /// <paramref name="tls"/>, the handshake within the connect timeout once more. <paramref name="onPeerError"/>
    /// learns of <see cref="PeerError"/> when it happens, from another thread.
    /// </summary>
    public static async ValueTask<TcpConnection> ConnectAsync(
        SyslogSenderOptions options,
        TlsClientContext? tls,
        Action<IOException> onPeerError,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        var socket = await ConnectSocketAsync(options, timeProvider, cancellationToken).ConfigureAwait(false);
        var stream = new NetworkStream(socket, ownsSocket: true);
        string endpoint = $"{options.Host}:{options.Port}";
        if (tls is null)
        {
            return new TcpConnection(socket, stream, endpoint, onPeerError: null);
        }

        // A failed handshake disposes the stream and with it the socket. It is not tried on the host's other
        // addresses: a certificate refused at one is refused at all of them.
        var ssl = await tls.AuthenticateAsync(stream, options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        var connection = new TcpConnection(socket, ssl, endpoint, onPeerError);
        if (ssl.SslProtocol == SslProtocols.Tls13)
        {
            await connection.ThrowIfRefusedAsync(cancellationToken).ConfigureAwait(false);
        }

        return connection;
    }

    /// <summary>
    /// TLS 1.3 ends our side of the handshake before the server has checked our client certificate (or its absence): a
    /// refusal comes as an alert, or a plain close, a round trip later, and whatever we wrote meanwhile is lost while
    /// the write succeeds. So the first write waits that moment: a peer that ends the session in it failed the connect.
    /// Real time on purpose: this waits for the network, it schedules nothing.
    /// </summary>
    private async ValueTask ThrowIfRefusedAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAny(_drain, Task.Delay(RefusalWindow, TimeProvider.System, cancellationToken)).ConfigureAwait(false);
        if (!_drained && !cancellationToken.IsCancellationRequested)
        {
            return;
        }

        var error = PeerError ?? new IOException(
            $"TLS connection to {_endpoint} was closed by the peer right after the handshake " +
            "(a TLS 1.3 receiver does this when it refuses the client certificate, or the lack of one)");
        await DisposeAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        throw error;
    }

    /// <summary>
    /// True when the peer has closed (FIN or RST): readable with nothing to read, the check rsyslog's omfwd makes
    /// before each send. Writing into such a connection succeeds locally and loses the bytes when the RST comes back.
    /// A syslog receiver sends no data (over TLS the drain reads its protocol messages), so bytes waiting to be
    /// read mean the connection is still open.
    /// </summary>
    public bool IsClosedByPeer()
    {
        if (_drained)
        {
            return true;
        }

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

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        await _stream.DisposeAsync().ConfigureAwait(false);
        await _drain.ConfigureAwait(false);
    }

    /// <summary>A connected socket to the first address of the host that answers within the connect timeout.</summary>
    internal static async ValueTask<Socket> ConnectSocketAsync(
        SyslogSenderOptions options,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
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
                return socket;
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

    // SslStream allows one read alongside one write. Whatever the read ends with (close_notify, FIN, an alert, our
    // own dispose) the connection is finished for sending; only an error while we have not disposed is kept.
    private async Task DrainAsync()
    {
        var buffer = new byte[512];
        try
        {
            while (await _stream.ReadAsync(buffer).ConfigureAwait(false) > 0)
            {
                // A syslog receiver has nothing to say to us; application data is discarded.
            }
        }
        catch (Exception e)
        {
            if (!_disposed)
            {
                // The innermost message is the one that names the alert ("tlsv13 alert certificate required").
                var error = new IOException($"TLS connection to {_endpoint} was ended by the peer: {e.GetBaseException().Message}", e);
                Volatile.Write(ref _peerError, error);
                _onPeerError?.Invoke(error);
            }
        }
        finally
        {
            _drained = true;
        }
    }
}
