using Collector.Ingest;
using Collector.Storage;

namespace Collector.Tests.Ingest;

/// <summary>
/// A RELP connection hands each read to the writer in chunks of its own: sized to the read, so 1,000 sessions sending
/// one message at a time do not hold 64 KiB each (docs/relp.md, load generator).
/// </summary>
public sealed class RelpChunkSizeTests
{
    [Theory]
    [InlineData(1, 4096)]
    [InlineData(300, 4096)]
    [InlineData(2048, 4096)]
    [InlineData(2049, 8192)]
    [InlineData(20_000, 65536)]
    [InlineData(32 * 1024, 65536)]
    [InlineData(1 << 20, 65536)]
    public void AChunkHasRoomForTwiceTheReadBetween4And64KiB(long read, int expected)
    {
        Assert.Equal(expected, RelpConnectionHandler.ChunkSizeFor(read));
    }

    [Fact]
    public async Task ALineLongerThanTheChunkSizeGetsAChunkOfItsOwnAndIsStoredWhole()
    {
        var queue = new StorageChannel(1 << 20);
        using var lines = new IngestSession(new LineFormatter(LineFormat.File), queue, new IngestCounters("relp"), 64 * 1024) { ChunkSize = 4096 };
        string body = new('x', 10_000);
        var message = System.Text.Encoding.UTF8.GetBytes("<134>1 2026-12-06T00:00:00Z host app 1 - - " + body);

        Assert.True(lines.Add(message, Shared.Framing.SyslogFraming.OctetCounting, truncated: false, originalLength: -1, DateTimeOffset.UnixEpoch));
        await lines.FlushAsync();

        Assert.True(queue.Reader.TryRead(out var chunk));
        string line = System.Text.Encoding.UTF8.GetString(chunk!.Span);
        Assert.EndsWith(" " + body + "\n", line);
        Assert.Equal(1, chunk.Lines);
        Assert.False(queue.Reader.TryRead(out _));
        chunk.Return();
    }
}
