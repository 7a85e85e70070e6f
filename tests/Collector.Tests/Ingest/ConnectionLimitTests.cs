using System.Net.Sockets;
using TestSupport;

namespace Collector.Tests.Ingest;

public sealed class ConnectionLimitTests
{
    [Fact]
    public async Task AConnectionOverTheLimitIsClosedAndCountedAndAFreedPlaceIsReused()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir, "--max-connections", "3");
        var open = new List<TcpClient>();
        for (int i = 0; i < 3; i++)
        {
            open.Add(await collector.ConnectAsync());
        }

        await Wait.UntilAsync(() => collector.MetricAsync("kubesyslog_collector_open_connections").Result == 3, "3 open connections");
        using (var extra = await collector.ConnectAsync())
        {
            await Wait.ForAsync(RunningCollector.ClosedByCollectorAsync(extra), "the fourth connection to be closed");
        }

        Assert.Equal(1, await collector.MetricAsync("kubesyslog_collector_rejected_connections_total"));
        open[0].Dispose();
        await Wait.UntilAsync(() => collector.MetricAsync("kubesyslog_collector_open_connections").Result == 2, "a place to free up");
        using (var again = await collector.ConnectAsync())
        {
            await SequencedMessages.SendAsync(again.GetStream(), 9, 0, 1, octetCounted: true);
        }

        await collector.WaitForLinesAsync(1);
        open.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task AnIdleConnectionIsClosedAfterTheIdleTimeoutAndABusyOneIsNot()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir, "--idle-timeout", "400ms");
        using var idle = await collector.ConnectAsync();
        using var busy = await collector.ConnectAsync();
        var idleClosed = RunningCollector.ClosedByCollectorAsync(idle);
        int sent = 0;
        while (!idleClosed.IsCompleted && sent < 100)
        {
            await SequencedMessages.SendAsync(busy.GetStream(), 5, sent++, 1, octetCounted: true);
            await Task.Delay(100);
        }

        Assert.True(idleClosed.IsCompleted, "the idle connection was not closed within 10 s");
        await SequencedMessages.SendAsync(busy.GetStream(), 5, sent++, 1, octetCounted: true);
        await collector.WaitForLinesAsync(sent);
        Assert.Equal(1, await collector.MetricAsync("kubesyslog_collector_idle_closed_connections_total"));
    }
}
