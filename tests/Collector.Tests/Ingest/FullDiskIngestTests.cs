using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Collector.Ingest;
using Microsoft.Extensions.DependencyInjection;
using Shared.Relp;
using TestSupport;

namespace Collector.Tests.Ingest;

/// <summary>
/// The whole Collector on a real tmpfs of a few MiB filled by another file: RELP answers stop, TCP senders wait,
/// /readyz and /metrics say why, and once the other file is gone everything sent is stored, once and in order.
/// </summary>
public sealed class FullDiskIngestTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [SmallFilesystemFact]
    public async Task AFullDiskStopsRelpAnswersAndTcpAndBothResumeWhenSpaceReturnsWithNothingLostOrDoubled()
    {
        using var fs = SmallFilesystem.Mount(16);

        // A small queue, so that it fills and the TCP connection is no longer read while the disk is full.
        await using var collector = await RunningCollector.StartAsync(
            fs.Combine("messages"), token: null, "--min-free", "0", "--queue-size", "64KiB");
        using var http = new HttpClient { BaseAddress = new Uri(collector.BaseUrl) };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);

        // Room for a few hundred of the 3000 RELP and 20,000 TCP lines (about 300 bytes each, every 1000th 8 KiB): more
        // than the queue and the kernel's socket buffers hold together.
        fs.FillLeaving(64 * 1024);
        const int Count = 3000;
        const int TcpCount = 20_000;
        var acknowledged = new ConcurrentQueue<int>();
        var refused = new ConcurrentQueue<string>();
        using var relpClient = new TcpClient();
        await relpClient.ConnectAsync(collector.Relp!);
        await using var session = await RelpClientSession.OpenAsync(relpClient.GetStream(), new RelpClientOptions
        {
            Acknowledged = ack =>
            {
                if (!ack.IsOk)
                {
                    refused.Enqueue($"{ack.State}: {ack.Response}");
                }

                acknowledged.Enqueue((int)ack.State!);
            },
        });
        var relp = Task.Run(async () =>
        {
            for (int seq = 0; seq < Count; seq++)
            {
                await session.SendSyslogAsync(SequencedMessages.Message(1, seq), seq, flush: seq % 50 == 49);
            }

            await session.FlushAsync();
        });
        using var tcpClient = await collector.ConnectAsync();
        var tcp = SequencedMessages.SendAsync(tcpClient.GetStream(), 2, 0, TcpCount, octetCounted: true);

        var ready = await WaitForReadyzAsync(
            http,
            r => r.Status == HttpStatusCode.ServiceUnavailable
                && r.Text.Contains("disk full", StringComparison.Ordinal));
        Assert.Contains(fs.Combine("messages"), ready.Text, StringComparison.Ordinal);
        Assert.Contains("RELP messages are not acknowledged", ready.Text, StringComparison.Ordinal);
        Assert.Equal(1, await collector.MetricAsync("kubesyslog_collector_storage_disk_full "));
        Assert.Equal(1, await collector.MetricAsync("kubesyslog_collector_storage_failing "));
        Assert.Equal(0, await collector.MetricAsync("kubesyslog_collector_storage_writable "));

        // The answers stop: the client's window fills and no more come while the disk is full;
        // what was answered is stored.
        await Wait.UntilQuietAsync(() => acknowledged.Count, TimeSpan.FromSeconds(2), "RELP answers to stop", Patience);
        Assert.InRange(acknowledged.Count, 0, Count - 1);
        Assert.False(relp.IsCompleted, "the RELP sender finished although the disk was full");
        var stored = collector.ReadLines().ToHashSet();
        Assert.All(acknowledged, seq => Assert.Contains(SequencedMessages.ExpectedLine(1, seq), stored));
        Assert.True(await collector.MetricAsync("kubesyslog_collector_write_errors_total") >= 1);

        // TCP is no longer read: the messages received stop short of what was sent. (Whether the sender is still
        // sending is the kernel's business: loopback buffers autotune up to tcp_rmem's maximum, 32 MiB here, which can
        // hold every byte it sends, and under load they did.)
        var tcpReceived = collector.Services.GetRequiredService<IngestMetrics>().Tcp;
        await Wait.UntilQuietAsync(() => tcpReceived.OctetCounted, TimeSpan.FromSeconds(2), "TCP reading to stop", Patience);
        Assert.InRange(tcpReceived.OctetCounted, 0, TcpCount - 1);
        Assert.Equal(
            tcpReceived.OctetCounted,
            await collector.MetricAsync(
                "kubesyslog_collector_received_messages_total{transport=\"tcp\",framing=\"octet-counted\"}"));

        fs.FreeFiller();
        await Wait.ForAsync(relp, "the RELP sender to get its window back", Patience);
        await Wait.ForAsync(tcp, "the TCP sender to finish", Patience);
        await session.CloseAsync().WaitAsync(Patience);
        tcpClient.Client.Shutdown(SocketShutdown.Send);
        await collector.WaitForLinesThenQuietAsync(Count + TcpCount, Patience);

        Assert.Null(SequencedMessages.Verify(collector.ReadLines(), new Dictionary<int, int> { [1] = Count, [2] = TcpCount }));
        Assert.Equal(Count + TcpCount, collector.ReadLines().Length);
        Assert.Equal(Enumerable.Range(0, Count), acknowledged);
        Assert.Empty(refused);
        await WaitForReadyzAsync(http, r => r.Status == HttpStatusCode.OK);
        Assert.Equal(0, await collector.MetricAsync("kubesyslog_collector_storage_disk_full "));
        Assert.Equal(1, await collector.MetricAsync("kubesyslog_collector_storage_writable "));
    }

    private static async Task<(HttpStatusCode Status, string Text)> WaitForReadyzAsync(
        HttpClient http, Func<(HttpStatusCode Status, string Text), bool> condition)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        (HttpStatusCode, string) last = default;
        while (clock.Elapsed < Patience)
        {
            using var response = await http.GetAsync("/readyz");
            last = (response.StatusCode, await response.Content.ReadAsStringAsync());
            if (condition(last))
            {
                return last;
            }

            await Task.Delay(50);
        }

        throw new Xunit.Sdk.XunitException($"/readyz never answered as expected; last: {last}");
    }
}
