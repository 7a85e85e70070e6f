using System.Text;
using Collector.Relay.Queue;

namespace Collector.Tests.Relay.Queue;

public sealed class RelayChunkTests
{
    [Fact]
    public void TryAppendFillsTheChunkToTheLastByteAndThenRefuses()
    {
        var chunk = RelayChunk.Rent();
        Assert.Equal(RelayChunk.DefaultSize, chunk.Capacity);
        Assert.True(chunk.TryAppend(new byte[100]));
        Assert.Equal(104, chunk.Length);

        // One byte more than what is left after the prefix does not fit and changes nothing.
        Assert.False(chunk.TryAppend(new byte[chunk.Available + 1]));
        Assert.Equal(104, chunk.Length);
        Assert.Equal(1, chunk.Messages);

        Assert.True(chunk.TryAppend(new byte[chunk.Capacity - 104 - RelayChunk.PrefixLength]));
        Assert.Equal(chunk.Capacity, chunk.Length);
        Assert.Equal(0, chunk.Available);
        Assert.False(chunk.TryAppend([]));
        Assert.Equal(2, chunk.Messages);
        chunk.Return();
    }

    [Fact]
    public void AHugeMessageGetsAChunkRentedAtItsSize()
    {
        var message = new byte[200_000];
        message.AsSpan().Fill((byte)'x');
        var ordinary = RelayChunk.Rent();
        Assert.False(ordinary.TryAppend(message));
        ordinary.Return();

        var huge = RelayChunk.Rent(RelayChunk.SizeFor(message.Length));
        Assert.True(huge.TryAppend(message));
        var slices = new List<ReadOnlyMemory<byte>>();
        huge.CopyMessagesTo(slices);
        Assert.True(Assert.Single(slices).Span.SequenceEqual(message));
        huge.Return();
    }

    [Fact]
    public void BeginAppendWritesInPlaceAndEndAppendCommitsWhatWasWritten()
    {
        var chunk = RelayChunk.Rent();
        var space = chunk.BeginAppend(50);
        Assert.Equal(50, space.Length);
        int written = Encoding.ASCII.GetBytes("hello", space);
        chunk.EndAppend(written);
        Assert.True(chunk.TryAppend("world"u8));

        var slices = new List<ReadOnlyMemory<byte>>();
        chunk.CopyMessagesTo(slices);
        Assert.Equal(["hello", "world"], slices.Select(s => Encoding.ASCII.GetString(s.Span)));
        Assert.Equal(2 * (RelayChunk.PrefixLength + 5), chunk.Length);
        chunk.Return();
    }

    [Fact]
    public void BeginAppendGivesNothingWhenTheSpaceDoesNotFitAndEndAppendChecksItsLength()
    {
        var chunk = RelayChunk.Rent();
        Assert.True(chunk.BeginAppend(chunk.Available + 1).IsEmpty);
        Assert.Throws<InvalidOperationException>(() => chunk.EndAppend(0));

        chunk.BeginAppend(10);
        Assert.Throws<ArgumentOutOfRangeException>(() => chunk.EndAppend(11));
        Assert.Throws<InvalidOperationException>(() => chunk.TryAppend("x"u8));
        chunk.EndAppend(10);
        Assert.Equal(1, chunk.Messages);
        chunk.Return();
    }

    [Fact]
    public void CopyMessagesToAppendsOneSlicePerMessageInOrderIncludingEmptyOnes()
    {
        var chunk = RelayChunk.Rent();
        string[] messages = ["first", "", "third message", "4"];
        foreach (var message in messages)
        {
            Assert.True(chunk.TryAppend(Encoding.ASCII.GetBytes(message)));
        }

        var slices = new List<ReadOnlyMemory<byte>> { "already there"u8.ToArray() };
        chunk.CopyMessagesTo(slices);
        Assert.Equal(["already there", .. messages], slices.Select(s => Encoding.ASCII.GetString(s.Span)));
        chunk.Return();
    }

    [Fact]
    public void FromSpilledRebuildsTheSameMessagesAndRefusesBytesThatDoNotAddUp()
    {
        var original = Chunks.Numbered(7);
        var bytes = original.Memory.ToArray();

        var rebuilt = RelayChunk.FromSpilled(bytes, original.Messages);
        Assert.Equal(original.Length, rebuilt.Length);
        Assert.Equal(original.Messages, rebuilt.Messages);
        Assert.Equal(Chunks.Numbers(original), Chunks.Numbers(rebuilt));
        Assert.Equal(Chunks.MessagesOf(7, 7), Chunks.Numbers(rebuilt));

        Assert.Throws<ArgumentException>(() => RelayChunk.FromSpilled(bytes, original.Messages + 1));
        Assert.Throws<ArgumentException>(() => RelayChunk.FromSpilled(bytes.AsSpan(0, bytes.Length - 1), original.Messages));
        Assert.Throws<ArgumentException>(() => RelayChunk.FromSpilled(bytes.AsSpan(0, 2), 1));
        original.Return();
        rebuilt.Return();
    }

    [Fact]
    public void ReturnIsIdempotentAndEmptiesTheChunk()
    {
        var chunk = Chunks.Numbered(0);
        chunk.Return();
        chunk.Return();
        Assert.Equal(0, chunk.Length);
        Assert.Equal(0, chunk.Messages);
        Assert.False(chunk.TryAppend("x"u8));
    }
}
