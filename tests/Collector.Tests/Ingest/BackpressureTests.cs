using TestSupport;

namespace Collector.Tests.Ingest;

/// <summary>When storage cannot write, TCP senders are paused (their socket stops being read), never dropped.</summary>
public sealed class BackpressureTests
{
    [Fact]
    public async Task WhileTheFileCannotBeWrittenTcpSendersArePausedAndLoseNothing()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir, "--queue-size", "256KiB");

        // Put a directory where the messages file was: the writer notices within a second and cannot reopen it.
        File.Delete(collector.FilePath);
        Directory.CreateDirectory(collector.FilePath);
        using var http = new HttpClient();
        await Wait.UntilAsync(
            () => http.GetAsync($"http://{collector.Http}/readyz").Result.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable,
            "/readyz to report the file as not writable");

        // ~60 MB: far more than the queue, the pipe and both socket buffers hold.
        const int Count = 200_000;
        using var client = await collector.ConnectAsync();
        var sending = SequencedMessages.SendAsync(client.GetStream(), 7, 0, Count, octetCounted: true);
        await Wait.UntilAsync(
            () => collector.MetricAsync("kubesyslog_collector_queue_chunks").Result
                >= collector.MetricAsync("kubesyslog_collector_queue_capacity_chunks").Result,
            "the storage queue to fill");
        // A negative check needs a window: with the queue full, the sender must still be blocked a second later.
        await Task.WhenAny(sending, Task.Delay(TimeSpan.FromSeconds(1)));
        Assert.False(sending.IsCompleted, "the sender was not paused: everything was accepted while nothing could be written");
        Assert.Equal(1, await collector.MetricAsync("kubesyslog_collector_open_connections"));

        Directory.Delete(collector.FilePath);
        await Wait.ForAsync(sending, "the sender to be resumed", TimeSpan.FromSeconds(60));
        client.Dispose();
        await collector.WaitForLinesThenQuietAsync(Count);
        Assert.Null(SequencedMessages.Verify(collector.ReadLines(), new Dictionary<int, int> { [7] = Count }));
        Assert.True(await collector.MetricAsync("kubesyslog_collector_write_errors_total") >= 1);
        Assert.Equal("ready\n", await collector.GetAsync("/readyz"));
    }
}
