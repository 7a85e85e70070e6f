using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Shared.Relp;

namespace TestSupport;

/// <summary>
/// A RELP server on loopback (port 0, or a given one) that answers <c>open</c> as librelp does and each <c>syslog</c>
/// command by a rule the test sets: acknowledge (<c>200 OK</c>), refuse (<c>500</c>), stay silent, or break the
/// connection (RST or <c>serverclose</c>) at a chosen message. It records every message it received, per connection and
/// in order, and which ones it acknowledged, so a test compares exact lists. With TLS options it is RELP over TLS
/// (omrelp's <c>tls="on"</c>) and records the client certificate of each connection.
/// </summary>
public sealed class LoopbackRelpReceiver : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly Lock _lock = new();
    private readonly List<List<string>> _connections = [];
    private readonly List<string> _acknowledged = [];
    private readonly List<Socket> _sockets = [];
    private readonly List<Task> _sessions = [];
    private readonly List<string?> _clientSubjects = [];
    private readonly SslServerAuthenticationOptions? _tls;

    private LoopbackRelpReceiver(int port, SslServerAuthenticationOptions? tls)
    {
        _tls = tls;
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>
    /// What the receiver does with a message, given its text and its number among all messages received (from 0).
    /// </summary>
    public enum Answer
    {
        Ok,
        Refuse,
        Silent,

        /// <summary>Resets the connection (RST) after reading this message, unanswered.</summary>
        Reset,

        /// <summary>Sends <c>serverclose</c> and closes, leaving this message unanswered.</summary>
        ServerClose,
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The rule for each message; by default every message is acknowledged.</summary>
    public Func<string, int, Answer> Rule { get; set; } = (_, _) => Answer.Ok;

    /// <summary>Every message received so far, in order (duplicates included).</summary>
    public IReadOnlyList<string> Received
    {
        get
        {
            lock (_lock)
            {
                return _connections.SelectMany(c => c).ToList();
            }
        }
    }

    /// <summary>The messages received on each connection, in connection order.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Connections
    {
        get
        {
            lock (_lock)
            {
                return _connections.Select(c => (IReadOnlyList<string>)c.ToList()).ToList();
            }
        }
    }

    /// <summary>The messages answered 200, in the order the answers were sent.</summary>
    public IReadOnlyList<string> Acknowledged
    {
        get
        {
            lock (_lock)
            {
                return _acknowledged.ToList();
            }
        }
    }

    /// <summary>
    /// TLS only: the subject of the client certificate of each connection whose handshake succeeded (null: none was
    /// sent), in the order the handshakes completed.
    /// </summary>
    public IReadOnlyList<string?> ClientSubjects
    {
        get
        {
            lock (_lock)
            {
                return _clientSubjects.ToList();
            }
        }
    }

    /// <param name="port">0 for any free port.</param>
    /// <param name="tls">When set, each connection starts with a TLS handshake as the server.</param>
    public static LoopbackRelpReceiver Start(int port = 0, SslServerAuthenticationOptions? tls = null) => new(port, tls);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_lock)
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }
        }

        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Stopped.
        }

        Task[] sessions;
        lock (_lock)
        {
            sessions = [.. _sessions];
        }

        await Task.WhenAll(sessions);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var socket = await _listener.AcceptSocketAsync(_stop.Token);
            lock (_lock)
            {
                _sockets.Add(socket);
                _connections.Add([]);
                _sessions.Add(ServeAsync(socket, _connections[^1]));
            }
        }
    }

    private async Task ServeAsync(Socket socket, List<string> received)
    {
        var network = new NetworkStream(socket, ownsSocket: true);
        await using Stream stream = _tls is null ? network : new SslStream(network);
        if (stream is SslStream ssl)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                timeout.CancelAfter(TimeSpan.FromSeconds(10));
                await ssl.AuthenticateAsServerAsync(_tls!, timeout.Token);
            }
            catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException)
            {
                // Refused by one side or the other; the sender's tests look at what the sender reports.
                return;
            }

            lock (_lock)
            {
                _clientSubjects.Add(ssl.RemoteCertificate?.Subject);
            }
        }

        var input = PipeReader.Create(stream);
        var output = PipeWriter.Create(stream);
        var reader = new RelpFrameReader();
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(_stop.Token);
                var buffer = result.Buffer;
                bool end = false;
                bool reset = false;
                while (!end && reader.TryReadFrame(ref buffer, out var frame, out _) == OperationStatus.Done)
                {
                    end = Handle(frame, received, output, out reset);
                }

                input.AdvanceTo(buffer.Start, buffer.End);

                // Answers to the frames before a reset still go out first, as a real server's would have.
                await output.FlushAsync(_stop.Token);
                if (reset)
                {
                    socket.LingerState = new LingerOption(true, 0);
                    socket.Close();
                }

                if (end || result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException
            or OperationCanceledException or InvalidOperationException)
        {
            // The client went away or the test ended.
        }
        finally
        {
            await input.CompleteAsync();
            await output.CompleteAsync();
        }
    }

    /// <summary>Answers one frame; true when the connection ends here.</summary>
    private bool Handle(in RelpFrame frame, List<string> received, PipeWriter output, out bool reset)
    {
        reset = false;
        switch (frame.Command)
        {
            case RelpCommand.Open:
                RelpFrameWriter.WriteResponse(output, frame.Txnr, 200, "OK"u8, "relp_version=0\nrelp_software=kube-syslog-test\ncommands=syslog"u8);
                return false;
            case RelpCommand.Close:
                RelpFrameWriter.Write(output, frame.Txnr, "rsp"u8, default);
                output.Write(RelpFrameWriter.ServerCloseFrame);
                return true;
            case RelpCommand.Syslog:
                string message = Encoding.UTF8.GetString(frame.Data.ToArray());
                int number;
                lock (_lock)
                {
                    number = _connections.Sum(c => c.Count);
                    received.Add(message);
                }

                switch (Rule(message, number))
                {
                    case Answer.Ok:
                        lock (_lock)
                        {
                            _acknowledged.Add(message);
                        }

                        RelpFrameWriter.WriteOk(output, frame.Txnr);
                        return false;
                    case Answer.Refuse:
                        RelpFrameWriter.WriteResponse(output, frame.Txnr, 500, "refused by test"u8);
                        return false;
                    case Answer.Silent:
                        return false;
                    case Answer.Reset:
                        reset = true;
                        return true;
                    default:
                        output.Write(RelpFrameWriter.ServerCloseFrame);
                        return true;
                }

            default:
                return false;
        }
    }
}
