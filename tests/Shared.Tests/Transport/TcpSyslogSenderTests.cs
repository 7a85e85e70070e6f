using System.Text;
using Shared.Framing;
using Shared.Transport;
using TestSupport;

namespace Shared.Tests.Transport;

public sealed class TcpSyslogSenderTests
{
    [Fact]
    public async Task SendsOneOctetCountedFrameByteExact()
    {
        await using var receiver = LoopbackTcpReceiver.Start();
        await using var sender = new TcpSyslogSender(Options(receiver.Port));
        byte[] message = Encoding.UTF8.GetBytes("<165>1 2026-01-01T00:00:00.123Z host app 42 ID7 [x@1 k=\"a\\\"b\"] ünïcödé\nline two");

        await sender.SendAsync(message);

        byte[] expected = [.. Encoding.ASCII.GetBytes($"{message.Length} "), .. message];
        await Wait.UntilAsync(() => receiver.TotalBytes >= expected.Length, "the frame");
        Assert.Equal(expected, receiver.Connections.Single());
        Assert.Equal(1, sender.Counters.MessagesSent);
        Assert.Equal(expected.Length, sender.Counters.BytesSent);
    }

    [Fact]
    public async Task LineFramingEndsEachMessageWithLfAndEscapesEmbeddedLf()
    {
        await using var receiver = LoopbackTcpReceiver.Start();
        await using var sender = new TcpSyslogSender(Options(receiver.Port, SyslogFraming.LineFeed));

        await sender.SendAsync([Encoding.UTF8.GetBytes("<13>1 - h a - - - one\ntwo"), Encoding.UTF8.GetBytes("<13>1 - h a - - - three")]);

        byte[] expected = Encoding.UTF8.GetBytes("<13>1 - h a - - - one#012two\n<13>1 - h a - - - three\n");
        await Wait.UntilAsync(() => receiver.TotalBytes >= expected.Length, "both lines");
        Assert.Equal(expected, receiver.Connections.Single());
        Assert.Equal(2, sender.Counters.MessagesSent);
    }

    [Fact]
    public async Task ABatchIsDeliveredInOrderOnOneConnection()
    {
        await using var receiver = LoopbackTcpReceiver.Start();
        await using var sender = new TcpSyslogSender(Options(receiver.Port));
        var first = SyslogMessages.Batch(500);
        var second = SyslogMessages.Batch(500, from: 500);

        await sender.SendAsync(first);
        await sender.SendAsync(second);

        byte[] expected = SyslogMessages.OctetCounted(first.Concat(second));
        await Wait.UntilAsync(() => receiver.TotalBytes >= expected.Length, "1000 frames");
        Assert.Equal(expected, receiver.Connections.Single());
        Assert.Equal(1000, sender.Counters.MessagesSent);
        Assert.Equal(expected.Length, sender.Counters.BytesSent);
        Assert.Equal(0, sender.Counters.Reconnects);
    }

    [Fact]
    public async Task AnEmptyBatchSendsNothingAndDoesNotConnect()
    {
        await using var receiver = LoopbackTcpReceiver.Start();
        await using var sender = new TcpSyslogSender(Options(receiver.Port));

        await sender.SendAsync(Array.Empty<ReadOnlyMemory<byte>>());

        Assert.Equal(0, receiver.ConnectionCount);
        Assert.Equal(0, sender.Counters.MessagesSent);
    }

    [Fact]
    public async Task AnEmptyMessageIsRejectedBeforeAnythingIsWritten()
    {
        await using var receiver = LoopbackTcpReceiver.Start();
        await using var sender = new TcpSyslogSender(Options(receiver.Port));

        await Assert.ThrowsAsync<ArgumentException>(async () => await sender.SendAsync(ReadOnlyMemory<byte>.Empty));

        Assert.Equal(0, receiver.ConnectionCount);
    }

    [Fact]
    public async Task SendingAfterDisposeThrows()
    {
        var sender = new TcpSyslogSender(Options(LoopbackTcpReceiver.ReservePort()));
        await sender.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await sender.SendAsync(SyslogMessages.Numbered(1)));
    }

    [Fact]
    public async Task DisposingCancelsASendStuckInItsRetryDelays()
    {
        var options = Options(LoopbackTcpReceiver.ReservePort());
        options.ReconnectDelay = TimeSpan.FromHours(1);
        options.MaxReconnectDelay = TimeSpan.FromHours(1);
        var logger = new CollectingLogger();
        var sender = new TcpSyslogSender(options, logger);
        var sending = sender.SendAsync(SyslogMessages.Numbered(1)).AsTask();
        await Wait.UntilAsync(() => logger.WithEvent(903).Count == 1, "the first retry delay");

        await Wait.ForAsync(sender.DisposeAsync().AsTask(), "dispose");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
        Assert.Equal(0, sender.Counters.MessagesSent);
    }

    internal static SyslogSenderOptions Options(int port, SyslogFraming framing = SyslogFraming.OctetCounting) => new()
    {
        Host = "127.0.0.1",
        Port = port,
        Framing = framing,
        ReconnectDelay = TimeSpan.FromMilliseconds(10),
        MaxReconnectDelay = TimeSpan.FromMilliseconds(100),
    };
}
