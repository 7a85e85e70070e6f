using System.Net.Sockets;
using System.Text;
using TestSupport;

namespace Collector.Tests.Ingest;

public sealed class UdpIngestTests
{
    [Fact]
    public async Task EachDatagramIsOneStoredMessage()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);
        using var udp = new UdpClient();
        for (int seq = 0; seq < 2000; seq++)
        {
            await udp.SendAsync(SequencedMessages.Message(6, seq), collector.Udp!);
            if (seq % 100 == 99)
            {
                // Paced a little: the test checks the path, not the kernel's buffer.
                await collector.WaitForLinesAsync(seq + 1);
            }
        }

        await collector.WaitForLinesThenQuietAsync(2000);
        Assert.Null(SequencedMessages.Verify(collector.ReadLines(), new Dictionary<int, int> { [6] = 2000 }));
        Assert.Equal(2000, await collector.MetricAsync("kubesyslog_collector_received_messages_total{transport=\"udp\",framing=\"datagram\"}"));
        Assert.Equal(0, await collector.MetricAsync("kubesyslog_collector_udp_dropped_datagrams_total"));
    }

    [Fact]
    public async Task ADatagramWithoutHostnameIsStoredUnderTheSendersAddress()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);
        using var udp = new UdpClient();
        await udp.SendAsync(Encoding.ASCII.GetBytes("<13>1 - - app - - - no host"), collector.Udp!);

        await collector.WaitForLinesAsync(1);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z 127\.0\.0\.1 app: user\.notice - - no host$", Assert.Single(collector.ReadLines()));
    }

    [Fact]
    public async Task AnIpv6AnyListenerTakesIpv4DatagramsAndConnectionsToo()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir, "--tcp", "[::]:0", "--udp", "[::]:0");
        using (var udp = new UdpClient(AddressFamily.InterNetwork))
        {
            await udp.SendAsync(
                Encoding.ASCII.GetBytes("<13>1 - - app - - - over udp v4"),
                new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, collector.Udp!.Port));
        }

        using (var tcp = new TcpClient(AddressFamily.InterNetwork))
        {
            await tcp.ConnectAsync(System.Net.IPAddress.Loopback, collector.Tcp.Port);
            await tcp.GetStream().WriteAsync(Encoding.ASCII.GetBytes("<13>1 - - app - - - over tcp v4\n"));
        }

        await collector.WaitForLinesAsync(2);
        var lines = collector.ReadLines();
        Assert.Contains(lines, l => l.EndsWith(" 127.0.0.1 app: user.notice - - over udp v4", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.EndsWith(" 127.0.0.1 app: user.notice - - over tcp v4", StringComparison.Ordinal));
    }
}
