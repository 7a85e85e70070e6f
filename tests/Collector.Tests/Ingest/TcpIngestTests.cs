using TestSupport;

namespace Collector.Tests.Ingest;

public sealed class TcpIngestTests
{
    [Fact]
    public async Task OneHundredThousandMessagesOverOneConnectionAreEachStoredOnceUnmodified()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);
        using (var client = await collector.ConnectAsync())
        {
            await SequencedMessages.SendAsync(client.GetStream(), 1, 0, 100_000, octetCounted: true);
        }

        await collector.WaitForLinesThenQuietAsync(100_000);
        Assert.Null(SequencedMessages.Verify(collector.ReadLines(), new Dictionary<int, int> { [1] = 100_000 }));
        Assert.Equal(100_000, collector.LineCount());
    }

    [Fact]
    public async Task OneHundredThousandMessagesOverEightConnectionsMixingFramingsAreEachStoredOnce()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);
        const int PerConnection = 12_500;
        var senders = Enumerable.Range(1, 8).Select(async stream =>
        {
            using var client = await collector.ConnectAsync();
            await SequencedMessages.SendAsync(client.GetStream(), stream, 0, PerConnection, octetCounted: stream % 2 == 0);
        });
        await Task.WhenAll(senders);

        await collector.WaitForLinesThenQuietAsync(8 * PerConnection);
        var expected = Enumerable.Range(1, 8).ToDictionary(s => s, _ => PerConnection);
        Assert.Null(SequencedMessages.Verify(collector.ReadLines(), expected));
        Assert.Equal(8 * PerConnection, collector.LineCount());
        Assert.Equal(
            4 * PerConnection,
            await collector.MetricAsync(
                "kubesyslog_collector_received_messages_total{transport=\"tcp\",framing=\"octet-counted\"}"));
        Assert.Equal(
            4 * PerConnection,
            await collector.MetricAsync(
                "kubesyslog_collector_received_messages_total{transport=\"tcp\",framing=\"lf\"}"));
    }

    [Fact]
    public async Task AMessageSplitIntoSingleBytesIsStoredWhole()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);
        using (var client = await collector.ConnectAsync())
        {
            client.NoDelay = true;
            var stream = client.GetStream();
            foreach (byte b in SequencedMessages.Frame(3, 7, octetCounted: true))
            {
                await stream.WriteAsync(new[] { b });
            }
        }

        await collector.WaitForLinesAsync(1);
        Assert.Equal(SequencedMessages.ExpectedLine(3, 7), Assert.Single(collector.ReadLines()));
    }

    [Fact]
    public async Task AnLfFramedLastLineWithoutItsLineFeedIsStoredWhenTheClientCloses()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);
        using (var client = await collector.ConnectAsync())
        {
            var frame = SequencedMessages.Frame(2, 5, octetCounted: false);
            await client.GetStream().WriteAsync(frame.AsMemory(0, frame.Length - 1));
        }

        await collector.WaitForLinesAsync(1);
        Assert.Equal(SequencedMessages.ExpectedLine(2, 5), Assert.Single(collector.ReadLines()));
    }

    [Fact]
    public async Task LinesReachTheFileWithoutWaitingForMoreTraffic()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);
        using var client = await collector.ConnectAsync();
        await client.GetStream().WriteAsync(SequencedMessages.Frame(1, 0, octetCounted: true));

        // The connection stays open and quiet: the line must be written anyway (well within the 100 ms policy;
        // the deadline here is generous for a loaded CI machine).
        await collector.WaitForLinesAsync(1, TimeSpan.FromSeconds(5));
    }
}
