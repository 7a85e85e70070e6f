using System.Net;
using System.Net.Sockets;
using Shared.Transport;
using TestSupport;

namespace Shared.Tests.Transport;

public sealed class TcpSyslogSenderReconnectTests
{
    private const int RetryingEvent = 903;

    [Fact]
    public async Task AListenerStartedAfterTheFirstAttemptStillReceivesEverything()
    {
        int port = LoopbackTcpReceiver.ReservePort();
        var logger = new CollectingLogger();
        await using var sender = new TcpSyslogSender(TcpSyslogSenderTests.Options(port), logger);
        var batch = SyslogMessages.Batch(100);

        var sending = sender.SendAsync(batch).AsTask();
        await Wait.UntilAsync(() => logger.WithEvent(RetryingEvent).Count >= 2, "two failed attempts");
        Assert.False(sending.IsCompleted);
        await using var receiver = LoopbackTcpReceiver.Start(port);
        await Wait.ForAsync(sending, "the send to complete once the listener is up");

        byte[] expected = SyslogMessages.OctetCounted(batch);
        await Wait.UntilAsync(() => receiver.TotalBytes >= expected.Length, "the batch");
        Assert.Equal(expected, receiver.Connections.Single());
        Assert.Equal(0, sender.Counters.Reconnects);
        Assert.Equal(100, sender.Counters.MessagesSent);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(2, 3)]
    public async Task WithLimitedRetriesASendToADeadPeerThrowsAfterTheLastAttempt(int retries, int attempts)
    {
        int port = LoopbackTcpReceiver.ReservePort();
        var logger = new CollectingLogger();
        var options = TcpSyslogSenderTests.Options(port);
        options.MaxRetryAttempts = retries;
        await using var sender = new TcpSyslogSender(options, logger);

        await Assert.ThrowsAsync<SocketException>(async () => await sender.SendAsync(SyslogMessages.Batch(3)));
        Assert.Equal(attempts - 1, logger.WithEvent(RetryingEvent).Count);
        Assert.Equal(0, sender.Counters.MessagesSent);
    }

    [Fact]
    public async Task WhenThePeerClosedTheConnectionTheNextBatchGoesToANewConnection()
    {
        await using var receiver = LoopbackTcpReceiver.Start();
        var logger = new CollectingLogger();
        await using var sender = new TcpSyslogSender(TcpSyslogSenderTests.Options(receiver.Port), logger);
        var first = SyslogMessages.Batch(50);
        var second = SyslogMessages.Batch(50, from: 50);
        await sender.SendAsync(first);
        await Wait.UntilAsync(() => receiver.TotalBytes == SyslogMessages.OctetCounted(first).Length, "the first batch");

        await receiver.CloseConnectionsAsync();
        await sender.SendAsync(second);

        // Without the check before writing, the second batch would be written into the closed connection and lost
        // when the peer answers with RST; here it must arrive whole on the second connection.
        await Wait.UntilAsync(
            () => receiver.ConnectionCount == 2
                && receiver.Connections[1].Length == SyslogMessages.OctetCounted(second).Length,
            "the second batch");
        Assert.Equal(SyslogMessages.OctetCounted(first), receiver.Connections[0]);
        Assert.Equal(SyslogMessages.OctetCounted(second), receiver.Connections[1]);
        Assert.Equal(1, sender.Counters.Reconnects);
        Assert.Single(logger.WithEvent(902));
    }

    [Fact]
    public async Task AConnectionResetInTheMiddleOfABatchResendsTheWholeBatchOnANewConnection()
    {
        // The first connection is reset after its first bytes while most of the batch is still unsent: tens of MB
        // cannot fit in the loopback socket buffers, so the sender's write fails and it must start over.
        await using var receiver = LoopbackTcpReceiver.Start(resetAfterBytes: i => i == 0 ? 1 : null);
        await using var sender = new TcpSyslogSender(TcpSyslogSenderTests.Options(receiver.Port));
        var batch = SyslogMessages.Batch(32_000, text: new string('x', 1000));
        byte[] expected = SyslogMessages.OctetCounted(batch);

        await Wait.ForAsync(sender.SendAsync(batch).AsTask(), "the batch to be resent", TimeSpan.FromSeconds(30));

        await Wait.UntilAsync(
            () => receiver.ConnectionCount == 2 && receiver.Connections[1].Length == expected.Length,
            "the whole batch on the second connection",
            TimeSpan.FromSeconds(30));
        var connections = receiver.Connections;
        Assert.True(connections[0].Length < expected.Length, $"the first connection got {connections[0].Length} of {expected.Length} bytes");
        Assert.Equal(expected.AsSpan(0, connections[0].Length).ToArray(), connections[0]);
        Assert.Equal(expected, connections[1]);
        Assert.Equal(1, sender.Counters.Reconnects);
        Assert.Equal(32_000, sender.Counters.MessagesSent);
    }

    [Fact]
    public async Task CancellationEndsASenderThatCannotConnectPromptly()
    {
        await using var sender = new TcpSyslogSender(TcpSyslogSenderTests.Options(LoopbackTcpReceiver.ReservePort()));
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        var sending = sender.SendAsync(SyslogMessages.Batch(10), cancellation.Token).AsTask();

        var error = await Wait.ForAsync(
            Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending),
            "the send to be cancelled",
            TimeSpan.FromSeconds(5));
        Assert.Equal(cancellation.Token, error.CancellationToken);
        Assert.Equal(0, sender.Counters.MessagesSent);
    }

    [Fact]
    public async Task AConnectThatHangsTimesOutAndIsRetried()
    {
        // A listener that never accepts, with its accept queue filled: Linux then drops further SYNs, so a connect
        // neither succeeds nor fails until the sender's ConnectTimeout ends it.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(1);
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var fillers = new List<Socket>();
        for (int i = 0; i < 3; i++)
        {
            var filler = new Socket(SocketType.Stream, ProtocolType.Tcp);
            using var quick = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            try
            {
                await filler.ConnectAsync(IPAddress.Loopback, port, quick.Token);
            }
            catch (OperationCanceledException)
            {
                // This one already hangs: the queue is full.
            }

            fillers.Add(filler);
        }

        try
        {
            await AssertConnectTimesOutAsync(port);
        }
        finally
        {
            fillers.ForEach(f => f.Dispose());
        }
    }

    private static async Task AssertConnectTimesOutAsync(int port)
    {
        var logger = new CollectingLogger();
        var options = TcpSyslogSenderTests.Options(port);
        options.ConnectTimeout = TimeSpan.FromMilliseconds(200);
        await using var sender = new TcpSyslogSender(options, logger);
        using var cancellation = new CancellationTokenSource();

        var sending = sender.SendAsync(SyslogMessages.Numbered(1), cancellation.Token).AsTask();
        await Wait.UntilAsync(() => logger.WithEvent(RetryingEvent).Count >= 2, "two timed-out connects");
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);

        var error = Assert.IsType<TimeoutException>(logger.WithEvent(RetryingEvent)[0].Exception);
        Assert.Equal($"Connecting to 127.0.0.1:{port} took longer than 00:00:00.2000000.", error.Message);
    }

    [Fact]
    public async Task RetryDelaysGrowAndStayWithinMaxReconnectDelay()
    {
        var logger = new CollectingLogger();
        var options = TcpSyslogSenderTests.Options(LoopbackTcpReceiver.ReservePort());
        options.ReconnectDelay = TimeSpan.FromMilliseconds(1);
        options.MaxReconnectDelay = TimeSpan.FromMilliseconds(40);
        await using var sender = new TcpSyslogSender(options, logger);
        using var cancellation = new CancellationTokenSource();

        var sending = sender.SendAsync(SyslogMessages.Numbered(1), cancellation.Token).AsTask();
        await Wait.UntilAsync(() => logger.WithEvent(RetryingEvent).Count >= 30, "30 retries");
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);

        var retries = logger.WithEvent(RetryingEvent).Take(30).ToList();
        Assert.Equal(Enumerable.Range(1, 30), retries.Select(r => (int)r.Values["Attempt"]!));
        var delays = retries.Select(r => (TimeSpan)r.Values["Delay"]!).ToList();
        Assert.All(delays, d => Assert.InRange(d, TimeSpan.Zero, options.MaxReconnectDelay));
        Assert.True(delays.Skip(20).Average(d => d.TotalMilliseconds) > delays.Take(3).Average(d => d.TotalMilliseconds), string.Join(", ", delays));
        Assert.All(retries, r => Assert.IsType<SocketException>(r.Exception));
    }

    [Fact]
    public async Task RetriesWaitOnTheGivenTimeProviderNotTheWallClock()
    {
        int port = LoopbackTcpReceiver.ReservePort();
        var time = new TimerCountingTimeProvider();
        var logger = new CollectingLogger();
        var options = TcpSyslogSenderTests.Options(port);
        options.ReconnectDelay = TimeSpan.FromHours(1);
        options.MaxReconnectDelay = TimeSpan.FromHours(1);
        await using var sender = new TcpSyslogSender(options, logger, time);

        var sending = sender.SendAsync(SyslogMessages.Numbered(7)).AsTask();
        await Wait.UntilAsync(() => logger.WithEvent(RetryingEvent).Count == 1 && time.ScheduledTimers == 1, "the first retry delay to be scheduled");
        await using var receiver = LoopbackTcpReceiver.Start(port);
        Assert.False(sending.IsCompleted);

        // Exactly the jittered delay: jumping further would also fire the 5 s connect timeout of the retry's connect,
        // which starts during Advance and runs on real sockets.
        var delay = (TimeSpan)logger.WithEvent(RetryingEvent)[0].Values["Delay"]!;
        Assert.InRange(delay, TimeSpan.FromTicks(1), options.MaxReconnectDelay);
        time.Advance(delay - TimeSpan.FromTicks(1));
        Assert.False(sending.IsCompleted, sending.Exception?.ToString() ?? $"completed: {sending.Status}");
        time.Advance(TimeSpan.FromTicks(1));

        await Wait.ForAsync(sending, "the retry after the fake delay");
        await Wait.UntilAsync(() => receiver.TotalBytes > 0, "the frame");
        Assert.Equal(SyslogMessages.OctetCounted([SyslogMessages.Numbered(7)]), receiver.Connections.Single());
    }
}
