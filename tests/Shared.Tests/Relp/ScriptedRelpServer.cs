using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Shared.Relp;

namespace Shared.Tests.Relp;

/// <summary>
/// A RELP server on loopback that the test drives by hand: it reads the client's frames one at a time and writes
/// whatever bytes the test gives it, so answers can be delayed, reordered, wrong or never sent.
/// </summary>
internal sealed class ScriptedRelpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private Socket? _socket;
    private PipeReader? _input;
    private NetworkStream? _stream;
    private readonly RelpFrameReader _reader = new();
    private readonly Queue<string> _frames = new();

    public ScriptedRelpServer() => _listener.Start();

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public async Task<NetworkStream> ConnectClientAsync()
    {
        var client = new TcpClient();
        var accept = _listener.AcceptSocketAsync();
        await client.ConnectAsync(IPAddress.Loopback, Port);
        _socket = await accept;
        _stream = new NetworkStream(_socket, ownsSocket: false);
        _input = PipeReader.Create(_stream);
        return client.GetStream();
    }

    /// <summary>Takes the connection of a client that connects by itself (e.g. a <c>RelpSyslogSender</c>).</summary>
    public async Task AcceptAsync()
    {
        _socket = await _listener.AcceptSocketAsync().WaitAsync(TimeSpan.FromSeconds(10));
        _stream = new NetworkStream(_socket, ownsSocket: false);
        _input = PipeReader.Create(_stream);
    }

    /// <summary>The next frame from the client as "TXNR COMMAND DATA", or null when it closed the connection.</summary>
    public async Task<string?> ReadFrameAsync()
    {
        while (_frames.Count == 0)
        {
            var result = await _input!.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            var buffer = result.Buffer;
            OperationStatus status;
            while ((status = _reader.TryReadFrame(ref buffer, out var frame, out _)) == OperationStatus.Done)
            {
                string name = Encoding.ASCII.GetString(frame.Name.ToArray());
                string data = Encoding.UTF8.GetString(frame.Data.ToArray());
                _frames.Enqueue($"{frame.Txnr} {name} {data}".TrimEnd());
            }

            _input.AdvanceTo(buffer.Start, buffer.End);
            Assert.NotEqual(OperationStatus.InvalidData, status);
            if (_frames.Count == 0 && result.IsCompleted)
            {
                return null;
            }
        }

        return _frames.Dequeue();
    }

    /// <summary>Reads the open and answers it as librelp does.</summary>
    public async Task<string> AcceptOpenAsync(
        string offers = "relp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog")
    {
        string open = (await ReadFrameAsync())!;
        Assert.StartsWith("1 open ", open);
        await AnswerAsync(1, "200 OK\n" + offers);
        return open;
    }

    public Task AnswerAsync(int txnr, string data) => SendAsync($"{txnr} rsp {Encoding.UTF8.GetByteCount(data)} {data}\n");

    public async Task SendAsync(string raw)
    {
        await _stream!.WriteAsync(Encoding.UTF8.GetBytes(raw));
        await _stream.FlushAsync();
    }

    /// <summary>Ends the connection with RST instead of FIN.</summary>
    public void Reset()
    {
        _socket!.LingerState = new LingerOption(true, 0);
        _socket.Close();
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        if (_input is not null)
        {
            await _input.CompleteAsync();
        }

        _socket?.Dispose();
    }
}
