using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Shared.Framing;

namespace TestSupport;

/// <summary>
/// A loopback syslog receiver built from Shared's framers, for interop tests with real senders: TCP (framing
/// detected per frame) and UDP (one message per datagram) on ports chosen by the OS. Collects raw frames.
/// </summary>
public sealed class SyslogTestListener : IAsyncDisposable
{
    private readonly TcpListener _tcp;
    private readonly UdpClient _udp;
    private readonly int _maxFrameLength;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<ReceivedFrame> _frames = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly List<Task> _loops = [];

    private SyslogTestListener(int maxFrameLength, int port)
    {
        _maxFrameLength = maxFrameLength;
        PortReservations.Release(port);
        _tcp = new TcpListener(IPAddress.Loopback, port);
        _tcp.Start();
        _udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
        _loops.Add(AcceptAsync());
        _loops.Add(ReceiveDatagramsAsync());
    }

    /// <summary>A frame as received; <see cref="Framing"/> is null for a UDP datagram.</summary>
    public sealed record ReceivedFrame(byte[] Payload, SyslogFraming? Framing, bool IsTruncated);

    public int TcpPort => ((IPEndPoint)_tcp.LocalEndpoint).Port;

    public int UdpPort => ((IPEndPoint)_udp.Client.LocalEndPoint!).Port;

    public IReadOnlyCollection<ReceivedFrame> Frames => _frames;

    /// <summary>Framing errors, one per connection that was closed for them.</summary>
    public IReadOnlyCollection<string> Errors => _errors;

    /// <param name="maxFrameLength">Longer frames are truncated (and marked) as a real receiver would.</param>
    /// <param name="port">0 for any free port, or one used before, to stand for a receiver that comes back.</param>
    public static SyslogTestListener Start(int maxFrameLength = SyslogFrameReader.DefaultMaxFrameLength, int port = 0) => new(maxFrameLength, port);

    public async Task<IReadOnlyList<ReceivedFrame>> WaitForFramesAsync(int count, TimeSpan? timeout = null)
    {
        await Wait.UntilAsync(() => _frames.Count >= count, $"{count} frames (have {_frames.Count}, errors: {string.Join("; ", _errors)})", timeout);
        return [.. _frames];
    }

    /// <summary>
    /// Every frame once at least <paramref name="count"/> have arrived and then none for <paramref name="quiet"/>
    /// (default 1 s): for comparing the exact list, late extras and duplicates included.
    /// </summary>
    public async Task<IReadOnlyList<ReceivedFrame>> WaitForQuietAsync(int count, TimeSpan? timeout = null, TimeSpan? quiet = null)
    {
        await WaitForFramesAsync(count, timeout);
        await Wait.UntilQuietAsync(() => _frames.Count, quiet ?? TimeSpan.FromSeconds(1), "the frames received", timeout);
        return [.. _frames];
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _tcp.Stop();
        _udp.Dispose();
        try
        {
            await Task.WhenAll(_loops);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // The loops end by cancellation or by their socket closing; nothing to report.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _tcp.AcceptTcpClientAsync(_stop.Token);
            _loops.Add(Task.Run(() => ReadConnectionAsync(client)));
        }
    }

    private async Task ReadConnectionAsync(TcpClient client)
    {
        using var _ = client;
        var reader = PipeReader.Create(client.GetStream());
        var framer = new SyslogFrameReader(_maxFrameLength);
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(_stop.Token);
                var buffer = result.Buffer;
                try
                {
                    OperationStatus status;
                    FramingError error;
                    while ((status = framer.TryReadFrame(ref buffer, out var frame, out error)) == OperationStatus.Done)
                    {
                        _frames.Enqueue(new ReceivedFrame(frame.Payload.ToArray(), frame.Framing, frame.IsTruncated));
                    }

                    if (status == OperationStatus.InvalidData)
                    {
                        _errors.Enqueue(error.ToString());
                        return;
                    }
                }
                finally
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                }

                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty && !framer.IsSkipping)
                    {
                        _errors.Enqueue($"connection closed inside a frame ({buffer.Length} bytes left)");
                    }

                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
        {
            // Listener stopping or the client resetting: the connection ends, as a real receiver's would.
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    private async Task ReceiveDatagramsAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var datagram = await _udp.ReceiveAsync(_stop.Token);
            _frames.Enqueue(new ReceivedFrame(datagram.Buffer, null, false));
        }
    }
}
