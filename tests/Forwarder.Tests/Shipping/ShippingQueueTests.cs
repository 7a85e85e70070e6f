using Forwarder.Shipping;

namespace Forwarder.Tests.Shipping;

public sealed class ShippingQueueTests
{
    [Fact]
    public async Task UrgentBatchesAreTakenBeforeEveryOtherQueuedBatchAndEachLaneKeepsItsOrder()
    {
        var queue = new ShippingQueue(8 * 1024 * 1024);
        var rented = Enumerable.Range(0, 5).Select(_ => queue.TryRent(out var b) ? b : throw new InvalidOperationException("no free batch")).ToList();
        await queue.EnqueueAsync(rented[0], CancellationToken.None);
        await queue.EnqueueAsync(rented[1], CancellationToken.None);
        await queue.EnqueueAsync(rented[2], CancellationToken.None, urgent: true);
        await queue.EnqueueAsync(rented[3], CancellationToken.None);
        await queue.EnqueueAsync(rented[4], CancellationToken.None, urgent: true);
        Assert.Equal(5, queue.Queued);
        Assert.Equal(2, queue.UrgentQueued);

        var taken = new List<OutgoingBatch>();
        while (queue.TryTake(out var batch))
        {
            taken.Add(batch);
        }

        Assert.Equal([rented[2], rented[4], rented[0], rented[1], rented[3]], taken);
    }

    [Fact]
    public async Task AWaitingShipperWakesForAnUrgentBatch()
    {
        var queue = new ShippingQueue(8 * 1024 * 1024);
        var waiting = queue.WaitToTakeAsync(CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);
        Assert.True(queue.TryRent(out var batch));
        await queue.EnqueueAsync(batch, CancellationToken.None, urgent: true);

        Assert.True(await waiting.WaitAsync(TestSupport.Wait.DefaultTimeout));
        Assert.True(queue.TryTake(out var taken));
        Assert.Same(batch, taken);
    }

    [Fact]
    public async Task TheShipperIsToldTheQueueEndedOnlyOnceBothLanesAreEmpty()
    {
        var queue = new ShippingQueue(8 * 1024 * 1024);
        Assert.True(queue.TryRent(out var batch));
        await queue.EnqueueAsync(batch, CancellationToken.None);
        queue.Complete();

        Assert.True(await queue.WaitToTakeAsync(CancellationToken.None));
        Assert.True(queue.TryTake(out _));
        Assert.False(await queue.WaitToTakeAsync(CancellationToken.None).AsTask().WaitAsync(TestSupport.Wait.DefaultTimeout));
    }

    [Fact]
    public void AFilesShareIsAnEighthOfTheQueueBetweenTwoAndFourBatches()
    {
        Assert.Equal(2 * ShippingQueue.BatchBytes, new ShippingQueue(1024 * 1024).FileShareBytes);
        Assert.Equal(4 * ShippingQueue.BatchBytes, new ShippingQueue(8 * 1024 * 1024).FileShareBytes);
        Assert.Equal(4 * ShippingQueue.BatchBytes, new ShippingQueue(256L * 1024 * 1024).FileShareBytes);
    }

    [Fact]
    public async Task AReturnedBatchWakesAFileWaitingForItsShare()
    {
        var queue = new ShippingQueue(8 * 1024 * 1024);
        Assert.True(queue.TryRent(out var batch));
        var next = queue.NextReturn;
        Assert.False(next.IsCompleted);
        queue.Return(batch);

        await next.WaitAsync(TestSupport.Wait.DefaultTimeout);
        Assert.False(queue.NextReturn.IsCompleted);
    }

    [Fact]
    public async Task AnIdleQueueLetsItsFreeBatchesGoOfTheirBuffersAndKeepsEveryBatchUsable()
    {
        var queue = new ShippingQueue(1024 * 1024);
        byte[] message = new byte[100_000];
        Assert.True(queue.TryRent(out var sent));
        Fill(sent, message, 'a');
        await queue.EnqueueAsync(sent, CancellationToken.None);
        Assert.True(queue.TryTake(out var taken));
        queue.Return(taken);

        // A batch being filled is nobody's to empty: it keeps its buffer and what it holds.
        Assert.True(queue.TryRent(out var filling));
        Fill(filling, message, 'b');

        long released = queue.ReleaseIdleBuffers();

        Assert.InRange(released, message.Length, 2L * 1024 * 1024);
        Assert.Equal(0, queue.ReleaseIdleBuffers());
        Assert.Single(filling);
        Assert.True(filling[0].Span.SequenceEqual(Enumerable.Repeat((byte)'b', message.Length).ToArray()));

        // Every free batch can still be rented and filled: none was lost or taken twice.
        var rented = new List<OutgoingBatch>();
        while (queue.TryRent(out var batch))
        {
            Fill(batch, message, 'c');
            rented.Add(batch);
        }

        Assert.Equal(queue.Capacity - 1, rented.Distinct().Count());
        Assert.DoesNotContain(filling, rented);
    }

    private static void Fill(OutgoingBatch batch, byte[] message, char value)
    {
        Array.Fill(message, (byte)value);
        message.CopyTo(batch.GetSpan(message.Length));
        batch.Advance(message.Length);
        batch.EndMessage();
    }
}
