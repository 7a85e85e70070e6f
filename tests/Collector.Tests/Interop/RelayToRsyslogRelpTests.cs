using System.Net.Sockets;
using System.Text;
using TestSupport;
using Xunit.Abstractions;
using Answer = TestSupport.LoopbackRelpReceiver.Answer;

namespace Collector.Tests.Interop;

/// <summary>
/// A relay with <c>protocol: relp</c>: a real rsyslogd with imrelp as its target, and a RELP receiver the test
/// controls to show that the relay's queue lets a message go only once it is acknowledged.
/// </summary>
public sealed class RelayToRsyslogRelpTests(ITestOutputHelper output)
{
    [PeerFact("rsyslogd", "imrelp.so")]
    public async Task EveryMessageArrivesAtRsyslogImrelpOnceInOrder()
    {
        const int Count = 3_000;
        using var dir = TempDirectory.Create();
        await using var rsyslog = await RsyslogRelpReceiver.StartAsync(dir);
        await using var collector = await StartWithRelayAsync(dir, rsyslog.Port);

        using var client = await collector.ConnectAsync();
        await SendAsync(client, 0, Count);
        await SendAsync(client, -1, 1);

        await WaitForSentinelAsync(rsyslog);
        Assert.Equal([.. Texts(0, Count), "sentinel"], rsyslog.ReadLines());
        Assert.Equal(Count + 1, await collector.MetricAsync("kubesyslog_collector_relay_sent_messages_total{relay=\"rsyslog\"}"));
    }

    [PeerFact("rsyslogd", "imrelp.so")]
    public async Task RsyslogStoppedAndRestartedMidStreamLosesNothing()
    {
        const int Count = 20_000;
        using var dir = TempDirectory.Create();
        await using var rsyslog = await RsyslogRelpReceiver.StartAsync(dir);
        await using var collector = await StartWithRelayAsync(dir, rsyslog.Port);

        // One connection: the Collector keeps the order of each connection, not between connections.
        using var client = await collector.ConnectAsync();
        var sending = Task.Run(async () =>
        {
            for (int start = 0; start < Count; start += 500)
            {
                await SendAsync(client, start, 500);
                await Task.Delay(10);
            }
        });
        for (int stop = 0; stop < 2; stop++)
        {
            int before = rsyslog.ReadLines().Count;
            await Wait.UntilAsync(
                () => rsyslog.ReadLines().Count >= before + 2000,
                "more messages at rsyslogd before stopping it",
                TimeSpan.FromSeconds(60));
            await rsyslog.StopAsync();
            await rsyslog.RestartAsync();
        }

        await sending;
        await SendAsync(client, -1, 1);
        await WaitForSentinelAsync(rsyslog);

        var got = rsyslog.ReadLines();
        var firsts = got.Distinct().ToList();
        output.WriteLine($"{got.Count} messages at rsyslogd for {Count + 1} sent: {got.Count - firsts.Count} duplicates");
        Assert.Equal([.. Texts(0, Count), "sentinel"], firsts);
        Assert.InRange(got.Count - firsts.Count, 0, 2 * 128);
    }

    [Fact]
    public async Task TheRelayQueueKeepsWhatTheTargetHasNotAcknowledged()
    {
        using var dir = TempDirectory.Create();
        await using var receiver = LoopbackRelpReceiver.Start();
        receiver.Rule = (_, n) => n < 10 ? Answer.Ok : Answer.Silent;
        await using var collector = await StartWithRelayAsync(dir, receiver.Port);

        using var client = await collector.ConnectAsync();
        await SendAsync(client, 0, 50);

        await Wait.UntilAsync(() => receiver.Received.Count >= 11, "the relay to send past the acknowledged ten");
        await collector.WaitForLinesAsync(50);
        var quietUntil = Environment.TickCount64 + 1000;
        while (Environment.TickCount64 < quietUntil)
        {
            Assert.Equal(0, await collector.MetricAsync("kubesyslog_collector_relay_sent_messages_total{relay=\"rsyslog\"}"));
            Assert.Equal(50, await collector.MetricAsync("kubesyslog_collector_relay_queued_messages{relay=\"rsyslog\"}"));
            await Task.Delay(100);
        }
    }

    private static async Task<RunningCollector> StartWithRelayAsync(TempDirectory dir, int port)
    {
        Directory.CreateDirectory(dir.Combine("relays"));
        File.WriteAllText(
            dir.Combine("relays", "rsyslog.yaml"),
            $"kind: logforwarder\nversion: v2\nmetadata: {{name: rsyslog}}\n" +
            $"spec: {{address: '127.0.0.1:{port}', protocol: relp}}\n");
        return await RunningCollector.StartAsync(dir, "--relays", dir.Combine("relays"));
    }

    private static List<string> Texts(int from, int count) => Enumerable.Range(from, count).Select(i => $"request {i} failed: timeout").ToList();

    /// <summary>
    /// Sends messages <paramref name="first"/>… to the Collector over TCP; first = -1 sends the sentinel.
    /// </summary>
    private static async Task SendAsync(TcpClient client, int first, int count)
    {
        var text = new StringBuilder();
        for (int i = first; i < first + count; i++)
        {
            string body = i < 0 ? "sentinel" : $"request {i} failed: timeout";
            string message =
                """<11>1 2026-11-23T10:00:00.123456Z node-7 api 4242 stderr """ +
                $"""[k8s@32473 namespace="payments" pod="api-0" container="api"] {body}""";
            text.Append(Encoding.UTF8.GetByteCount(message)).Append(' ').Append(message);
        }

        await client.GetStream().WriteAsync(Encoding.UTF8.GetBytes(text.ToString()));
    }

    private static async Task WaitForSentinelAsync(RsyslogRelpReceiver rsyslog)
    {
        await Wait.UntilAsync(
            () => rsyslog.ReadLines().Contains("sentinel"),
            $"the sentinel at rsyslogd: {rsyslog.Diagnostics}",
            TimeSpan.FromSeconds(60));
        int count = rsyslog.ReadLines().Count;
        await Task.Delay(500);
        Assert.Equal(count, rsyslog.ReadLines().Count);
    }
}
