using System.Text;
using Microsoft.Extensions.Logging;
using Shared.Transport;
using TestSupport;
using Answer = TestSupport.LoopbackRelpReceiver.Answer;

namespace Shared.Tests.Transport;

public sealed class RelpSyslogSenderTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private static List<string> Lines(int count, string prefix = "m") =>
        Enumerable.Range(0, count).Select(i => $"<13>1 - host app - - - {prefix}{i}").ToList();

    private static List<ReadOnlyMemory<byte>> Bytes(IEnumerable<string> lines) =>
        lines.Select(l => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(l)).ToList();

    private static RelpSyslogSender Sender(
        int port, int window = 128, TimeSpan? ackTimeout = null, int retries = int.MaxValue) =>
        new(new SyslogSenderOptions
        {
            Host = "127.0.0.1",
            Port = port,
            Protocol = SyslogTransportProtocol.Relp,
            RelpWindowSize = window,
            RelpAckTimeout = ackTimeout ?? TimeSpan.FromSeconds(90),
            ReconnectDelay = TimeSpan.FromMilliseconds(20),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(100),
            MaxRetryAttempts = retries,
        });

    [Fact]
    public async Task EveryMessageArrivesOnceInOrderAndTheSendReturnsWhenAllAreAcknowledged()
    {
        await using var receiver = LoopbackRelpReceiver.Start();
        await using var sender = Sender(receiver.Port, window: 16);
        var lines = Lines(1000);

        await sender.SendAsync(Bytes(lines)).AsTask().WaitAsync(Patience);

        Assert.Equal(lines, receiver.Received);
        Assert.Equal(lines, receiver.Acknowledged);
        Assert.Equal(1000, sender.Counters.MessagesSent);
        Assert.Equal(0, sender.Counters.Resent);
    }

    [Fact]
    public async Task ASendIsNotCompleteWhileAnswersAreMissingAndHoldsAtMostTheWindow()
    {
        await using var receiver = LoopbackRelpReceiver.Start();
        receiver.Rule = (_, n) => n < 3 ? Answer.Ok : Answer.Silent;
        await using var sender = Sender(receiver.Port, window: 8);
        var delivery = new RelpDelivery(Bytes(Lines(100)));

        using var stop = new CancellationTokenSource();
        var sending = sender.SendAsync(delivery, stop.Token).AsTask();

        // 3 answered free 3 slots: 8 + 3 sent, then nothing more until an answer comes.
        await Wait.UntilAsync(() => receiver.Received.Count == 11, "a full window after the three answers");
        await Task.Delay(300);
        Assert.Equal(Lines(11), receiver.Received);
        Assert.False(sending.IsCompleted);
        Assert.Equal(3, delivery.Acknowledged);
        Assert.False(delivery.IsComplete);

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending.WaitAsync(Patience));
    }

    [Theory]
    [InlineData(Answer.Reset)]
    [InlineData(Answer.ServerClose)]
    public async Task AfterTheSessionBreaksOnlyTheUnacknowledgedAreSentAgainInOrder(Answer breaking)
    {
        await using var receiver = LoopbackRelpReceiver.Start();
        bool broken = false;
        receiver.Rule = (_, n) =>
        {
            if (n == 40 && !broken)
            {
                broken = true;
                return breaking;
            }

            return Answer.Ok;
        };
        await using var sender = Sender(receiver.Port, window: 16);
        var lines = Lines(200);

        await sender.SendAsync(Bytes(lines)).AsTask().WaitAsync(Patience);

        var connections = receiver.Connections;
        Assert.Equal(2, connections.Count);
        Assert.Equal(lines[..41], connections[0]);
        Assert.Equal(lines[40..], connections[1]);
        Assert.Equal(lines, receiver.Acknowledged);
        Assert.True(sender.Counters.Resent >= 1, $"resent {sender.Counters.Resent}");
        Assert.Equal(1, sender.Counters.Reconnects);
    }

    [Fact]
    public async Task ARefusedMessageIsCountedAndNotSentAgainAndTheOthersGoOn()
    {
        await using var receiver = LoopbackRelpReceiver.Start();
        receiver.Rule = (m, _) => m.EndsWith("m7", StringComparison.Ordinal) ? Answer.Refuse : Answer.Ok;
        var log = new CollectingLogger();
        var options = new SyslogSenderOptions
        {
            Host = "127.0.0.1",
            Port = receiver.Port,
            Protocol = SyslogTransportProtocol.Relp,
        };
        await using var sender = new RelpSyslogSender(options, log);
        var lines = Lines(20);
        var delivery = new RelpDelivery(Bytes(lines));

        await sender.SendAsync(delivery).AsTask().WaitAsync(Patience);

        Assert.Equal(lines, receiver.Received);
        Assert.Equal(lines.Where(l => !l.EndsWith("m7", StringComparison.Ordinal)), receiver.Acknowledged);
        Assert.Equal(1, delivery.Refused);
        Assert.Equal(19, delivery.Acknowledged);
        Assert.Equal("500 refused by test", delivery.FirstRefusal);
        Assert.Equal(1, sender.Counters.Refused);
        Assert.Contains(
            log.Entries,
            e => e.Level == LogLevel.Warning
                && e.Message.Contains("refused 1 messages", StringComparison.Ordinal)
                && e.Message.Contains("m7", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AReceiverThatStopsAnsweringIsGivenUpAfterTheTimeoutAndTheUnansweredGoToANewSession()
    {
        await using var receiver = LoopbackRelpReceiver.Start();
        receiver.Rule = (_, n) => n is >= 5 and < 13 ? Answer.Silent : Answer.Ok;
        await using var sender = Sender(receiver.Port, window: 8, ackTimeout: TimeSpan.FromMilliseconds(300));
        var lines = Lines(30);

        await sender.SendAsync(Bytes(lines)).AsTask().WaitAsync(Patience);

        var connections = receiver.Connections;
        Assert.Equal(2, connections.Count);
        Assert.Equal(lines[..13], connections[0]);
        Assert.Equal(lines[5..], connections[1]);
        Assert.Equal(lines, receiver.Acknowledged);
        Assert.Equal(8, sender.Counters.Resent);
    }

    [Fact]
    public async Task ADeliveryLeftByABrokenSenderContinuesOnAnotherWithTheUnansweredOnly()
    {
        await using var first = LoopbackRelpReceiver.Start();
        first.Rule = (_, n) => n < 10 ? Answer.Ok : Answer.Reset;
        await using var second = LoopbackRelpReceiver.Start();
        await using var one = Sender(first.Port, window: 4, retries: 0);
        await using var two = Sender(second.Port, window: 4, retries: 0);
        var lines = Lines(50);
        var delivery = new RelpDelivery(Bytes(lines));

        await Assert.ThrowsAsync<IOException>(() => one.SendAsync(delivery).AsTask().WaitAsync(Patience));
        await two.SendAsync(delivery).AsTask().WaitAsync(Patience);

        Assert.Equal(lines[..10], first.Acknowledged);
        Assert.Equal(lines[10..], second.Received);
        Assert.Equal(lines[10..], second.Acknowledged);
        Assert.True(delivery.IsComplete);
        Assert.NotNull(one.Counters.LastError);
    }

    [Fact]
    public async Task ATargetThatIsDownIsRetriedUntilItListens()
    {
        int port = LoopbackTcpReceiver.ReservePort();
        await using var sender = Sender(port);
        var lines = Lines(5);
        var sending = sender.SendAsync(Bytes(lines)).AsTask();
        await Wait.UntilAsync(() => sender.Counters.LastError is not null, "a failed connect");
        Assert.False(sending.IsCompleted);

        await using var receiver = LoopbackRelpReceiver.Start(port);
        await sending.WaitAsync(Patience);
        Assert.Equal(lines, receiver.Acknowledged);
    }

    [Fact]
    public void RelpWithTlsIsValid()
    {
        var options = new SyslogSenderOptions
        {
            Host = "h",
            Protocol = SyslogTransportProtocol.Relp,
            Tls = new SyslogTlsOptions(),
        };
        Assert.Empty(SyslogSenderOptionsValidator.Validate(options));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65537)]
    public void AWindowOutsideItsRangeIsRefused(int window)
    {
        var errors = SyslogSenderOptionsValidator.Validate(
            new SyslogSenderOptions { Host = "h", Protocol = SyslogTransportProtocol.Relp, RelpWindowSize = window });
        Assert.Contains($"RelpWindowSize must be 1-65536, was {window}", errors);
    }
}
