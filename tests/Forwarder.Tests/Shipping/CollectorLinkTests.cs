using System.Buffers;
using System.Text;
using Forwarder.Configuration;
using Forwarder.Shipping;
using Microsoft.Extensions.Logging.Abstractions;
using TestSupport;

namespace Forwarder.Tests.Shipping;

public sealed class CollectorLinkTests
{
    [Fact]
    public async Task WhenTheFirstTargetIsDownTheBatchGoesToTheNext()
    {
        int dead = LoopbackTcpReceiver.ReservePort();
        await using var alive = LoopbackTcpReceiver.Start();
        await using var link = Link($"tcp://127.0.0.1:{dead}", $"tcp://127.0.0.1:{alive.Port}");

        await link.SendAsync(Batch("one", "two"), CancellationToken.None);

        await Wait.UntilAsync(() => alive.TotalBytes == 10, "both messages at the second target");
        Assert.Equal("3 one3 two", Encoding.ASCII.GetString(alive.Connections.Single()));
        Assert.Equal(1, link.Failovers);
        Assert.Equal(1, link.FailedAttempts);
        Assert.Equal($"tcp://127.0.0.1:{alive.Port}", link.Current);
    }

    [Fact]
    public async Task ASingleTargetThatComesUpLateStillGetsTheBatch()
    {
        int port = LoopbackTcpReceiver.ReservePort();
        await using var link = Link($"tcp+lf://127.0.0.1:{port}");
        var sending = link.SendAsync(Batch("late"), CancellationToken.None).AsTask();
        await Wait.UntilAsync(() => link.FailedAttempts >= 2, "two failed attempts");
        Assert.False(sending.IsCompleted);

        await using var receiver = LoopbackTcpReceiver.Start(port);
        await Wait.ForAsync(sending, "the send once the target listens");
        await Wait.UntilAsync(() => receiver.TotalBytes == 5, "the line");
        Assert.Equal("late\n", Encoding.ASCII.GetString(receiver.Connections.Single()));
    }

    [Fact]
    public async Task CancellationEndsASendThatCannotSucceed()
    {
        int dead = LoopbackTcpReceiver.ReservePort();
        await using var link = Link($"tcp://127.0.0.1:{dead}");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await link.SendAsync(Batch("x"), cancel.Token));
    }

    internal static OutgoingBatch Batch(params string[] messages)
    {
        var batch = new OutgoingBatch(1024);
        foreach (string message in messages)
        {
            ((IBufferWriter<byte>)batch).Write(Encoding.UTF8.GetBytes(message));
            batch.EndMessage();
        }

        return batch;
    }

    private static CollectorLink Link(params string[] targets)
    {
        var options = new ForwarderOptions { Targets = targets.Select(TargetUri.Parse).ToList() };
        return new CollectorLink(options, NullLogger<CollectorLink>.Instance, TimeProvider.System);
    }
}
