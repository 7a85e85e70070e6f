using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
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

        await Wait.UntilAsync(
            () => collector.MetricAsync("kubesyslog_collector_rejected_connections_total").Result == 1,
            "the fourth connection counted as rejected");
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

        // The Collector's clock is the test's: the idle sweep (every 5 s for a 30 s timeout) runs inside Advance.
        var clock = new FakeTimeProvider();
        await using var collector = await RunningCollector.StartAsync(dir, clock, "--idle-timeout", "30s");
        using var idle = await collector.ConnectAsync();
        using var busy = await collector.ConnectAsync();
        var idleClosed = RunningCollector.ClosedByCollectorAsync(idle);
        await Wait.UntilAsync(
            () => collector.MetricAsync("kubesyslog_collector_accepted_connections_total").Result == 2,
            "both connections accepted");

        // The busy connection sends at 0, 10, 20 and 30 s; the idle one stays silent. Its line stored means the
        // Collector saw the activity before the clock moves on.
        for (int i = 0; i < 4; i++)
        {
            await SequencedMessages.SendAsync(busy.GetStream(), 5, i, 1, octetCounted: true);
            await collector.WaitForLinesAsync(i + 1);
            Assert.Equal(0, await collector.MetricAsync("kubesyslog_collector_idle_closed_connections_total"));
            clock.Advance(TimeSpan.FromSeconds(10));
        }

        // At 40 s the idle connection has been silent past the timeout, the busy one for 10 s.
        await Wait.ForAsync(idleClosed, "the idle connection closed by the Collector");
        Assert.Equal(1, await collector.MetricAsync("kubesyslog_collector_idle_closed_connections_total"));
        await SequencedMessages.SendAsync(busy.GetStream(), 5, 4, 1, octetCounted: true);
        await collector.WaitForLinesAsync(5);
        Assert.Equal(1, await collector.MetricAsync("kubesyslog_collector_idle_closed_connections_total"));
    }
}
