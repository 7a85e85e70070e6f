using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Collector;
using Collector.Observability;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Shared.Relp;

namespace Benchmarks;

/// <summary>
/// The real Collector in this process with a real messages file in a temp directory, fed over loopback by RELP sessions
/// (window <see cref="Window"/> each): messages per second acknowledged with <c>--relp-ack-after write</c>
/// against <c>fsync</c> (fdatasync with group commit), and plain octet-counted TCP as the peer, in one run.
/// One operation sends <see cref="Messages"/> typical messages over <see cref="Sessions"/> connections and waits for
/// every answer (TCP: every line).
/// </summary>
[WarmupCount(1)]
[IterationCount(15)]
[InvocationCount(1, 1)]
[MemoryDiagnoser]
public class RelpAckAfterBenchmarks
{
    public const int Messages = 60_000;

    private WebApplication _app = null!;
    private string _directory = null!;
    private IPEndPoint _relp = null!;
    private IPEndPoint _tcp = null!;

    [Params("tcp", "relp-write", "relp-fsync")]
    public string Mode { get; set; } = "relp-write";

    /// <summary>
    /// Concurrent connections sharing the messages (several senders share one fdatasync: the group commit).
    /// </summary>
    [Params(1, 4, 16)]
    public int Sessions { get; set; } = 1;

    /// <summary>
    /// Messages each RELP session may have unanswered: 128 is librelp's default (and the Forwarder's), 1024 what
    /// docs/relp.md advises with <c>--relp-ack-after fsync</c>, where every answer waits for an fdatasync.
    /// </summary>
    [Params(128, 1024)]
    public int Window { get; set; } = 128;

    private static int TcpFrameLength =>
        TypicalMessage.Frame.Length + 1
        + TypicalMessage.Frame.Length.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("relp-bench-").FullName;
        string ackAfter = Mode == "relp-fsync" ? "fsync" : "write";
        _app = CollectorApp.Build(
            ["--tcp", "127.0.0.1:0", "--udp", "", "--http", "", "--relp", "127.0.0.1:0", "--relp-ack-after", ackAfter,
                "--file", Path.Combine(_directory, "messages"), "--log-level", "Warning", "--max-file-size", "4GiB"],
            out var errors) ?? throw new InvalidOperationException(string.Join("; ", errors));
        _app.StartAsync().GetAwaiter().GetResult();
        var listeners = _app.Services.GetRequiredService<ListenerState>();
        _relp = listeners.Relp!;
        _tcp = listeners.Tcp!;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _app.StopAsync().GetAwaiter().GetResult();
        _app.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = Messages)]
    public async Task Send()
    {
        if (Mode == "tcp")
        {
            await SendTcpAsync();
            return;
        }

        await Task.WhenAll(Enumerable.Range(0, Sessions).Select(_ => SendRelpAsync(Messages / Sessions)));
    }

    private async Task SendRelpAsync(int messages)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(_relp);
        int answered = 0;
        var options = new RelpClientOptions { WindowSize = Window, Acknowledged = _ => answered++ };
        await using var session = await RelpClientSession.OpenAsync(client.GetStream(), options);
        for (int i = 0; i < messages; i++)
        {
            await session.SendSyslogAsync(TypicalMessage.Frame, flush: false);
        }

        await session.CloseAsync();
        if (answered != messages)
        {
            throw new InvalidOperationException($"{answered} of {messages} answered");
        }
    }

    /// <summary>The same messages octet-counted over TCP; done when the file has grown by all of them.</summary>
    private async Task SendTcpAsync()
    {
        string file = Path.Combine(_directory, "messages");
        long before = File.Exists(file) ? new FileInfo(file).Length : 0;
        var frames = new System.Buffers.ArrayBufferWriter<byte>();
        for (int i = 0; i < Messages; i++)
        {
            Shared.Framing.FrameWriter.WriteOctetCounted(frames, TypicalMessage.Frame);
        }

        int share = frames.WrittenCount / Sessions / TcpFrameLength * TcpFrameLength;
        await Task.WhenAll(Enumerable.Range(0, Sessions).Select(async i =>
        {
            using var client = new TcpClient();
            await client.ConnectAsync(_tcp);
            int start = i * share;
            int length = i == Sessions - 1 ? frames.WrittenCount - start : share;
            await client.GetStream().WriteAsync(frames.WrittenMemory.Slice(start, length));
        }));

        // Each stored line is longer than a minimal one: wait until the file has at least Messages more lines.
        while (CountLines(file, before) < Messages)
        {
            await Task.Delay(1);
        }
    }

    private static long CountLines(string path, long from)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Position = from;
        var buffer = new byte[1 << 16];
        long count = 0;
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            count += buffer.AsSpan(0, n).Count((byte)'\n');
        }

        return count;
    }
}
