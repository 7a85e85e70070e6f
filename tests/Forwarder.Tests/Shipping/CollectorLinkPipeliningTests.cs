using Forwarder.Configuration;
using Forwarder.Shipping;
using Microsoft.Extensions.Logging.Abstractions;
using TestSupport;
using Answer = TestSupport.LoopbackRelpReceiver.Answer;

namespace Forwarder.Tests.Shipping;

/// <summary>
/// The link to a <c>relp://</c> target sends batch after batch without waiting for answers and hands them back in
/// order.
/// </summary>
public sealed class CollectorLinkPipeliningTests
{
    private static CollectorLink Link(params string[] targets)
    {
        var options = new ForwarderOptions { Targets = targets.Select(TargetUri.Parse).ToList(), MaxRetryDelay = TimeSpan.FromMilliseconds(200) };
        return new CollectorLink(options, NullLogger<CollectorLink>.Instance, TimeProvider.System);
    }

    private static async Task<List<OutgoingBatch>> TakeDeliveredAsync(CollectorLink link, int count)
    {
        var delivered = new List<OutgoingBatch>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (delivered.Count < count)
        {
            await link.WaitAsync(null, deadline.Token);
            while (link.TryTakeDelivered(out var batch))
            {
                delivered.Add(batch);
            }
        }

        return delivered;
    }

    [Fact]
    public async Task TheNextBatchGoesOutBeforeTheFirstIsAnswered()
    {
        await using var receiver = LoopbackRelpReceiver.Start();
        receiver.Rule = (_, _) => Answer.Silent;
        await using var link = Link($"relp://127.0.0.1:{receiver.Port}");

        await link.SendAsync(CollectorLinkTests.Batch("a0", "a1"), CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(15));
        await link.SendAsync(CollectorLinkTests.Batch("b0", "b1"), CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(15));

        await Wait.UntilAsync(() => receiver.Received.Count == 4, "both batches at the receiver");
        Assert.Equal(["a0", "a1", "b0", "b1"], receiver.Received);
        Assert.Empty(receiver.Acknowledged);
        Assert.False(link.TryTakeDelivered(out _));
        Assert.Equal(2, link.InFlight);
    }

    [Fact]
    public async Task ALaterBatchAnsweredFirstWaitsForTheEarlierAndABrokenSessionResendsExactlyTheUnanswered()
    {
        await using var receiver = LoopbackRelpReceiver.Start();
        bool reset = false;
        receiver.Rule = (m, _) =>
        {
            if (m == "c0" && !reset)
            {
                reset = true;
                return Answer.Reset;
            }

            return m == "a1" && receiver.Connections.Count == 1 ? Answer.Silent : Answer.Ok;
        };
        await using var link = Link($"relp://127.0.0.1:{receiver.Port}");
        var a = CollectorLinkTests.Batch("a0", "a1", "a2");
        var b = CollectorLinkTests.Batch("b0", "b1");
        var c = CollectorLinkTests.Batch("c0", "c1");

        await link.SendAsync(a, CancellationToken.None);
        await link.SendAsync(b, CancellationToken.None);
        await Wait.UntilAsync(() => receiver.Acknowledged.Count == 4, "a0, a2, b0 and b1 acknowledged");

        // b is answered in full, but a is not: nothing is delivered yet (b's offsets must not be committed before a's).
        Assert.False(link.TryTakeDelivered(out _));
        await link.SendAsync(c, CancellationToken.None);
        var delivered = await TakeDeliveredAsync(link, 3);

        Assert.Equal([a, b, c], delivered);
        await Wait.UntilQuietAsync(() => receiver.Received.Count, TimeSpan.FromMilliseconds(300), "the receiver");
        var connections = receiver.Connections;
        Assert.Equal(2, connections.Count);
        Assert.Equal(["a0", "a1", "a2", "b0", "b1", "c0"], connections[0]);
        Assert.Equal(["a1", "c0", "c1"], connections[1]);
        Assert.Equal(["a0", "a2", "b0", "b1", "a1", "c0", "c1"], receiver.Acknowledged);
        Assert.Equal(0, link.InFlight);
    }

    [Fact]
    public async Task WhenTheRelpTargetFailsTheUnansweredOfEveryBatchGoToTheNextTargetInOrder()
    {
        await using var first = LoopbackRelpReceiver.Start();
        first.Rule = (m, _) => m switch
        {
            "a1" or "b0" => Answer.Silent,
            "c0" => Answer.Reset,
            _ => Answer.Ok,
        };
        await using var second = LoopbackRelpReceiver.Start();
        await using var link = Link($"relp://127.0.0.1:{first.Port}", $"relp://127.0.0.1:{second.Port}");
        var a = CollectorLinkTests.Batch("a0", "a1", "a2");
        var b = CollectorLinkTests.Batch("b0", "b1");
        var c = CollectorLinkTests.Batch("c0");

        await link.SendAsync(a, CancellationToken.None);
        await link.SendAsync(b, CancellationToken.None);
        await Wait.UntilAsync(() => first.Acknowledged.Count == 3, "a0, a2 and b1 acknowledged by the first target");
        await link.SendAsync(c, CancellationToken.None);
        var delivered = await TakeDeliveredAsync(link, 3);

        Assert.Equal([a, b, c], delivered);
        await Wait.UntilQuietAsync(() => second.Received.Count, TimeSpan.FromMilliseconds(300), "the second target");
        Assert.Equal(["a0", "a2", "b1"], first.Acknowledged);
        Assert.Equal(["a1", "b0", "c0"], second.Received);
        Assert.Equal(["a1", "b0", "c0"], second.Acknowledged);
        Assert.Equal(1, link.Failovers);
    }
}
