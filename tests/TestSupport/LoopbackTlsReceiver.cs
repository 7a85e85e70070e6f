using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace TestSupport;

/// <summary>
/// A hand-written RFC 5425 receiver on 127.0.0.1: TLS with the given server certificate (and its intermediates),
/// optionally requiring a client certificate issued by <c>clientAuthority</c>, then octet-counted frames.
/// Records what each completed handshake saw (SNI, client certificate).
/// </summary>
public sealed class LoopbackTlsReceiver : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly SslServerAuthenticationOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Connection> _connections = [];
    private readonly Task _acceptLoop;

    private LoopbackTlsReceiver(int port, X509Certificate2 certificate, X509Certificate2Collection? intermediates, X509Certificate2? clientAuthority)
    {
        _options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(certificate, intermediates, offline: true),
            ClientCertificateRequired = clientAuthority is not null,
        };
        if (clientAuthority is not null)
        {
            _options.CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            _options.CertificateChainPolicy.CustomTrustStore.Add(clientAuthority);
            _options.RemoteCertificateValidationCallback = (_, _, _, errors) => errors == SslPolicyErrors.None;
        }

        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>Connections whose handshake succeeded, in accept order.</summary>
    public IReadOnlyList<Connection> Connections
    {
        get
        {
            lock (_connections)
            {
                return [.. _connections];
            }
        }
    }

    /// <summary>Every complete frame of every connection, in connection order.</summary>
    public IReadOnlyList<string> Messages => Connections.SelectMany(c => c.Messages).ToList();

    /// <param name="certificate">The server certificate, with its key.</param>
    /// <param name="port">0 for any free port, or the port of a stopped receiver to restart it.</param>
    /// <param name="intermediates">Sent after the server certificate.</param>
    /// <param name="clientAuthority">When set, a client certificate issued by it (or an intermediate the client sends)
    /// is required.</param>
    public static LoopbackTlsReceiver Start(
        X509Certificate2 certificate,
        int port = 0,
        X509Certificate2Collection? intermediates = null,
        X509Certificate2? clientAuthority = null) =>
        new(port, certificate, intermediates, clientAuthority);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        foreach (var connection in Connections)
        {
            await connection.DisposeAsync();
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        var handshakes = new List<Task>();
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                break;
            }

            handshakes.Add(HandshakeAsync(socket));
        }

        await Task.WhenAll(handshakes);
    }

    private async Task HandshakeAsync(Socket socket)
    {
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true));
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            await ssl.AuthenticateAsServerAsync(_options, timeout.Token);
        }
        catch (Exception)
        {
            // Refused by one side or the other; the sender's tests look at what the sender reports.
            await ssl.DisposeAsync();
            return;
        }

        lock (_connections)
        {
            _connections.Add(new Connection(ssl));
        }
    }

    /// <summary>
    /// One TLS connection: a read loop keeping the decrypted bytes until the sender or the test closes it.
    /// </summary>
    public sealed class Connection : IAsyncDisposable
    {
        private readonly SslStream _ssl;
        private readonly List<byte> _received = [];
        private readonly Task _reading;

        public Connection(SslStream ssl)
        {
            _ssl = ssl;
            ServerName = ssl.TargetHostName;
            ClientSubject = ssl.RemoteCertificate?.Subject;
            _reading = ReadAsync();
        }

        /// <summary>The name the client sent as SNI.</summary>
        public string ServerName { get; }

        public string? ClientSubject { get; }

        public IReadOnlyList<string> Messages
        {
            get
            {
                lock (_received)
                {
                    return ReadFrames([.. _received]);
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _ssl.DisposeAsync();
            await _reading;
        }

        // RFC 6587 §3.4.1: MSG-LEN SP SYSLOG-MSG; a partial frame at the end is left for later.
        private static List<string> ReadFrames(byte[] bytes)
        {
            var frames = new List<string>();
            int position = 0;
            while (true)
            {
                int space = Array.IndexOf(bytes, (byte)' ', position);
                if (space < 0)
                {
                    return frames;
                }

                int length = int.Parse(
                    Encoding.ASCII.GetString(bytes, position, space - position),
                    System.Globalization.CultureInfo.InvariantCulture);
                if (space + 1 + length > bytes.Length)
                {
                    return frames;
                }

                frames.Add(Encoding.UTF8.GetString(bytes, space + 1, length));
                position = space + 1 + length;
            }
        }

        private async Task ReadAsync()
        {
            await Task.Yield();
            var buffer = new byte[16 * 1024];
            try
            {
                int read;
                while ((read = await _ssl.ReadAsync(buffer)) > 0)
                {
                    lock (_received)
                    {
                        _received.AddRange(buffer.AsSpan(0, read));
                    }
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // Closed by DisposeAsync or reset by the sender: the bytes so far are the result.
            }

            await _ssl.DisposeAsync();
        }
    }
}
