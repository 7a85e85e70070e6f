using System.Net.Sockets;
using System.Text;
using TestSupport;

namespace Collector.Tests.Ingest;

/// <summary>
/// A message over the maximum size is stored cut and marked, counted, and its rest never becomes a message.
/// </summary>
public sealed class TruncationTests
{
    private static byte[] Long(string id, int length) =>
        Encoding.ASCII.GetBytes($"<134>1 2026-11-22T10:00:00Z host app - - - {id} ".PadRight(length, 'y'));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AnOverlongTcpMessageIsTruncatedMarkedAndItsRestIsDiscarded(bool octetCounted)
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir, "--max-message-size", "1024");
        var big = Long("long-one", 5000);
        var next = Encoding.ASCII.GetBytes("<134>1 2026-11-22T10:00:01Z host app - - - next one");
        using (var client = await collector.ConnectAsync())
        {
            var stream = client.GetStream();
            foreach (var message in new[] { big, next })
            {
                byte[] frame = octetCounted ? [.. Encoding.ASCII.GetBytes($"{message.Length} "), .. message] : [.. message, (byte)'\n'];
                await stream.WriteAsync(frame);
            }
        }

        await collector.WaitForLinesAsync(2);
        var lines = collector.ReadLines();
        Assert.Equal(2, lines.Length);
        Assert.StartsWith(
            "2026-11-22T10:00:00Z host app: local0.info - [kube-syslog@32473 truncated=\"5000\"] long-one yyy",
            lines[0],
            StringComparison.Ordinal);
        Assert.Equal(
            1024 - "<134>1 2026-11-22T10:00:00Z host app - - - ".Length,
            lines[0].Length - lines[0].IndexOf("long-one", StringComparison.Ordinal));
        Assert.Equal("2026-11-22T10:00:01Z host app: local0.info - - next one", lines[1]);
        Assert.Equal(1, await collector.MetricAsync("kubesyslog_collector_truncated_messages_total{transport=\"tcp\"}"));
    }

    [Fact]
    public async Task AMessageOfExactlyTheMaximumSizeIsKeptWhole()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir, "--max-message-size", "1024");
        var exact = Long("exact", 1024);
        using (var client = await collector.ConnectAsync())
        {
            byte[] frame = [.. Encoding.ASCII.GetBytes("1024 "), .. exact];
            await client.GetStream().WriteAsync(frame);
        }

        await collector.WaitForLinesAsync(1);
        var line = Assert.Single(collector.ReadLines());
        Assert.DoesNotContain("truncated", line, StringComparison.Ordinal);
        Assert.EndsWith(Encoding.ASCII.GetString(exact, exact.Length - 100, 100), line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMessageLargerThanTheDefaultPipeBufferIsKeptWholeWhenTheLimitAllowsIt()
    {
        // The per-connection pipe pauses at about twice the maximum message size: a 2 MiB frame must still fit.
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir, "--max-message-size", "2MiB");
        var huge = Long("huge", 2 * 1024 * 1024);
        using (var client = await collector.ConnectAsync())
        {
            byte[] frame = [.. Encoding.ASCII.GetBytes($"{huge.Length} "), .. huge];
            await client.GetStream().WriteAsync(frame);
        }

        await collector.WaitForLinesAsync(1);
        var line = Assert.Single(collector.ReadLines());
        Assert.DoesNotContain("truncated", line, StringComparison.Ordinal);
        Assert.Equal(
            huge.Length - "<134>1 2026-11-22T10:00:00Z host app - - - ".Length,
            line.Length - line.IndexOf("huge", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnOverlongDatagramIsTruncatedAndMarked()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir, "--max-message-size", "1024");
        using var udp = new UdpClient();
        await udp.SendAsync(Long("datagram", 4000), collector.Udp!);

        await collector.WaitForLinesAsync(1);
        Assert.Contains("[kube-syslog@32473 truncated=\"4000\"] datagram", Assert.Single(collector.ReadLines()), StringComparison.Ordinal);
        Assert.Equal(1, await collector.MetricAsync("kubesyslog_collector_truncated_messages_total{transport=\"udp\"}"));
    }
}
