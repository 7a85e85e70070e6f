using System.Text;
using TestSupport;

namespace Collector.Tests.Ingest;

public sealed class SmokeTests
{
    [Fact]
    public async Task AnOctetCountedMessageOverTcpBecomesOneLine()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);
        using (var client = await collector.ConnectAsync())
        {
            var message = "<134>1 2026-11-22T10:00:00.123456Z node-1 app 42 ID7 [k8s@32473 namespace=\"web\"] hello"u8.ToArray();
            var frame = Encoding.ASCII.GetBytes($"{message.Length} ").Concat(message).ToArray();
            await client.GetStream().WriteAsync(frame);
        }

        await collector.WaitForLinesAsync(1);
        Assert.Equal(
            "2026-11-22T10:00:00.123456Z node-1 web/-/- ID7: hello\tapp[42]: local0.info ID7 [k8s@32473 namespace=\"web\"]",
            Assert.Single(collector.ReadLines()));
    }
}
