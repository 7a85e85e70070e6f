using Forwarder.Shipping;

namespace Forwarder.Tests.Shipping;

/// <summary>
/// How a batch's buffer grows and is let go: small under a light load, doubling (never once per message) when a chunk
/// of a large read buffer fills it far past the batch size, and nothing of its messages lost on the way.
/// </summary>
public sealed class OutgoingBatchTests
{
    private const int BatchCapacity = ShippingQueue.BatchBytes + (ShippingQueue.BatchBytes / 4);

    [Fact]
    public void ABatchOfAFewLinesKeepsASmallBuffer()
    {
        var batch = new OutgoingBatch(BatchCapacity);
        for (int i = 0; i < 20; i++)
        {
            Write(batch, Message(i, 200));
        }

        Assert.InRange(batch.BufferLength, 4_000, 32 * 1024);
    }

    [Fact]
    public void ABatchFilledFarPastItsSizeGrowsByDoublingAndKeepsEveryMessage()
    {
        var batch = new OutgoingBatch(BatchCapacity);
        var sizes = new HashSet<int>();
        var expected = new List<byte[]>();
        for (int i = 0; batch.Bytes < 2 * 1024 * 1024; i++)
        {
            var message = Message(i, 150);
            Write(batch, message);
            expected.Add(message);
            sizes.Add(batch.BufferLength);
        }

        // 16 KiB doubled up to the batch size, then doubled on to 2 MiB and more: about ten sizes, not one per message.
        Assert.InRange(sizes.Count, 2, 12);
        Assert.Equal(expected.Count, batch.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.True(batch[i].Span.SequenceEqual(expected[i]), $"message {i} differs");
        }
    }

    [Fact]
    public void AnEmptyBatchLetsGoOfItsBufferAndGrowsAgainOnUse()
    {
        var batch = new OutgoingBatch(BatchCapacity);
        Write(batch, Message(0, 100_000));
        Assert.Equal(0, batch.ReleaseBuffers());

        batch.Reset();
        Assert.True(batch.ReleaseBuffers() >= 100_000);
        Assert.Equal(0, batch.BufferLength);

        var again = Message(1, 300);
        Write(batch, again);
        Assert.True(Assert.Single(batch).Span.SequenceEqual(again));
    }

    private static byte[] Message(int n, int length)
    {
        var bytes = new byte[length];
        Array.Fill(bytes, (byte)('a' + (n % 26)));
        return bytes;
    }

    private static void Write(OutgoingBatch batch, byte[] message)
    {
        message.CopyTo(batch.GetSpan(message.Length));
        batch.Advance(message.Length);
        batch.EndMessage();
    }
}
