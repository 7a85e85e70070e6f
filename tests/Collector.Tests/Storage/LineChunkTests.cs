using System.Text;
using Collector.Ingest;
using Collector.Storage;
using Shared.Framing;

namespace Collector.Tests.Storage;

/// <summary>
/// A chunk is rented for the longest line its frames could make; before it is queued, lines that fill less than a
/// quarter of it move to a right-sized buffer, so 1,000 senders of one message per read do not queue 4 KiB each.
/// </summary>
public sealed class LineChunkTests
{
    [Fact]
    public void AChunkFilledLessThanAQuarterMovesItsLinesIntoASmallerBuffer()
    {
        var chunk = LineChunk.Rent(4096);
        byte[] lines = Encoding.ASCII.GetBytes("first line\nsecond line\n");
        Write(chunk, lines[..11]);
        Write(chunk, lines[11..]);

        chunk.TrimExcess();

        Assert.Equal(lines, chunk.Span.ToArray());
        Assert.Equal(2, chunk.Lines);
        Assert.True(chunk.Capacity < 4096, $"capacity {chunk.Capacity}");
        Assert.True(chunk.Capacity >= lines.Length);
        chunk.Return();
    }

    [Fact]
    public void AChunkFilledMoreThanAQuarterKeepsItsBuffer()
    {
        var chunk = LineChunk.Rent(4096);
        int capacity = chunk.Capacity;
        byte[] line = Encoding.ASCII.GetBytes(new string('x', (capacity / 4) + 1));
        Write(chunk, line);

        chunk.TrimExcess();

        Assert.Equal(capacity, chunk.Capacity);
        Assert.Equal(line, chunk.Span.ToArray());
        chunk.Return();
    }

    [Fact]
    public void AnEmptyChunkCarryingOnlyAnAcknowledgementIsLeftAsItIs()
    {
        var chunk = LineChunk.Rent(0);
        int capacity = chunk.Capacity;

        chunk.TrimExcess();

        Assert.Equal(0, chunk.Length);
        Assert.Equal(capacity, chunk.Capacity);
        chunk.Return();
    }

    [Fact]
    public async Task AReadOfOneShortMessageIsQueuedInABufferSizedToItsLine()
    {
        var queue = new StorageChannel(1 << 20);
        using var lines = new IngestSession(new LineFormatter(LineFormat.File), queue, new IngestCounters("relp"), 64 * 1024)
        {
            ChunkSize = RelpConnectionHandler.ChunkSizeFor(250),
        };
        var message = Encoding.UTF8.GetBytes("<134>1 2026-12-06T00:00:00Z host app 1 - - " + new string('m', 200));

        Assert.True(lines.Add(message, SyslogFraming.OctetCounting, truncated: false, originalLength: -1, DateTimeOffset.UnixEpoch));
        await lines.FlushAsync();

        Assert.True(queue.Reader.TryRead(out var chunk));
        Assert.Equal(1, chunk!.Lines);
        Assert.EndsWith(" " + new string('m', 200) + "\n", Encoding.UTF8.GetString(chunk.Span));
        Assert.True(chunk.Capacity <= 1024, $"a {chunk.Length}-byte line queued in {chunk.Capacity} bytes");
        Assert.False(queue.Reader.TryRead(out _));
        chunk.Return();
    }

    private static void Write(LineChunk chunk, byte[] line)
    {
        line.CopyTo(chunk.Free);
        chunk.Commit(line.Length);
    }
}
