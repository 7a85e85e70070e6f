using System.Net.Sockets;
using System.Text;
using TestSupport;

namespace Collector.Tests.Ingest;

/// <summary>
/// Bad clients lose their own connection at most; a good client's messages keep flowing, all of them.
/// </summary>
public sealed class HostileClientTests
{
    [Fact]
    public async Task AGoodClientLosesNothingWhileHostileClientsMisbehave()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);
        var idle = new List<TcpClient>();
        try
        {
            for (int i = 0; i < 500; i++)
            {
                idle.Add(await collector.ConnectAsync());
            }

            await Wait.UntilAsync(() => collector.MetricAsync("kubesyslog_collector_open_connections").Result >= 500, "500 idle connections open");

            const int GoodMessages = 20_000;
            var good = Task.Run(async () =>
            {
                using var client = await collector.ConnectAsync();
                for (int first = 0; first < GoodMessages; first += 1000)
                {
                    await SequencedMessages.SendAsync(client.GetStream(), 1, first, 1000, octetCounted: true);
                }
            });
            var hostile = new[]
            {
                Task.Run(() => SendRandomBytesAsync(collector)),
                Task.Run(() => SendImpossibleOctetCountAsync(collector)),
                Task.Run(() => SendTenMebibyteFrameAsync(collector)),
                Task.Run(() => ResetMidFrameAsync(collector)),
            };
            await Wait.ForAsync(Task.WhenAll([good, .. hostile]), "good and hostile clients", TimeSpan.FromSeconds(60));

            await collector.WaitForLinesThenQuietAsync(GoodMessages + 2);
            await Wait.UntilAsync(
                () => SequencedMessages.Verify(collector.ReadLines(), new Dictionary<int, int> { [1] = GoodMessages }, IsHostile) is null,
                "every good message stored once");
            Assert.Equal("ok\n", await collector.GetAsync("/healthz"));

            // The 10 MiB frame: one line, truncated and marked with its announced length; the rest is no message.
            var lines = collector.ReadLines();
            var big = Assert.Single(lines, l => l.Contains("big-frame", StringComparison.Ordinal));
            Assert.Contains("[kube-syslog@32473 truncated=\"10485760\"]", big, StringComparison.Ordinal);
            // Cut at the default --max-message-size (260 KiB).
            Assert.True(big.Length < 270_000, $"stored {big.Length} bytes of the 10 MiB frame");
            Assert.Single(lines, l => l.EndsWith("after the big frame", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, l => l.Contains("xxxxxxxx", StringComparison.Ordinal) && !l.Contains("big-frame", StringComparison.Ordinal));
            Assert.True(await collector.MetricAsync("kubesyslog_collector_framing_errors_total") >= 1);
        }
        finally
        {
            idle.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task AnImpossibleOctetCountClosesOnlyThatConnection()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);
        using var other = await collector.ConnectAsync();
        await SendImpossibleOctetCountAsync(collector);

        await SequencedMessages.SendAsync(other.GetStream(), 4, 0, 10, octetCounted: true);
        await collector.WaitForLinesThenQuietAsync(10);
        Assert.Null(SequencedMessages.Verify(collector.ReadLines(), new Dictionary<int, int> { [4] = 10 }));
    }

    private static async Task SendRandomBytesAsync(RunningCollector collector)
    {
        using var client = await collector.ConnectAsync();
        var random = new Random(1234);
        var junk = new byte[1 << 20];
        random.NextBytes(junk);
        try
        {
            await client.GetStream().WriteAsync(junk);
        }
        catch (IOException)
        {
            // The Collector may close this connection when the junk cannot be framed: that is allowed.
        }
    }

    /// <summary>`99999999999 ` is more than any frame may be: the connection is closed, nothing else happens.</summary>
    private static async Task SendImpossibleOctetCountAsync(RunningCollector collector)
    {
        using var client = await collector.ConnectAsync();
        var stream = client.GetStream();
        await stream.WriteAsync("99999999999 <13>1 - - - - - - x"u8.ToArray());
        await Wait.ForAsync(RunningCollector.ClosedByCollectorAsync(client), "the Collector to close a connection with an impossible octet count");
    }

    private static async Task SendTenMebibyteFrameAsync(RunningCollector collector)
    {
        using var client = await collector.ConnectAsync();
        var stream = client.GetStream();
        var header = Encoding.ASCII.GetBytes("<134>1 2026-11-22T10:00:00Z host app - - - big-frame ");
        int length = 10 * 1024 * 1024;
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{length} "));
        await stream.WriteAsync(header);
        var filler = Enumerable.Repeat((byte)'x', 1 << 20).ToArray();
        int left = length - header.Length;
        while (left > 0)
        {
            int n = Math.Min(left, filler.Length);
            await stream.WriteAsync(filler.AsMemory(0, n));
            left -= n;
        }

        var after = Encoding.ASCII.GetBytes("<134>1 2026-11-22T10:00:01Z host app - - - after the big frame");
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{after.Length} "));
        await stream.WriteAsync(after);
    }

    private static async Task ResetMidFrameAsync(RunningCollector collector)
    {
        var client = await collector.ConnectAsync();
        await client.GetStream().WriteAsync("500 <134>1 2026-11-22T10:00:00Z host app - - - cut short"u8.ToArray());
        client.Client.LingerState = new LingerOption(true, 0);
        client.Client.Close();
        client.Dispose();
    }

    // What the hostile clients leave in the file is checked line by line below; the good client's lines must be exact.
    private static bool IsHostile(string line) => !line.Contains(" app[1]: ", StringComparison.Ordinal);
}
