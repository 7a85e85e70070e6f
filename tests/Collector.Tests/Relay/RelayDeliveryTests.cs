using System.Text;
using TestSupport;

namespace Collector.Tests.Relay;

public sealed class RelayDeliveryTests
{
    [Fact]
    public async Task EveryMessageReachesEveryRelayByteForByte()
    {
        using var dir = TempDirectory.Create();
        await using var octet = SyslogTestListener.Start();
        await using var lf = SyslogTestListener.Start();
        Directory.CreateDirectory(dir.Combine("relays"));
        RelayDocs.Write(dir, "octet", octet.TcpPort);
        RelayDocs.Write(dir, "lf", lf.TcpPort, extra: "  framing: lf\n");
        await using var collector = await RunningCollector.StartAsync(dir, "--relays", dir.Combine("relays"));

        await RelayDocs.SendAsync(collector, 1, 0, 5_000);

        foreach (var listener in new[] { octet, lf })
        {
            var frames = await listener.WaitForQuietAsync(5_000);
            // Every payload, not just the last: a relay that changed any byte of any message fails here.
            Assert.Equal(5_000, frames.Count);
            for (int seq = 0; seq < 5_000; seq++)
            {
                Assert.True(
                    SequencedMessages.Message(1, seq).AsSpan().SequenceEqual(frames[seq].Payload),
                    $"message {seq} relayed changed: {Encoding.UTF8.GetString(frames[seq].Payload)}");
            }
        }

        Assert.All(lf.Frames, f => Assert.Equal(Shared.Framing.SyslogFraming.LineFeed, f.Framing));
        Assert.All(octet.Frames, f => Assert.Equal(Shared.Framing.SyslogFraming.OctetCounting, f.Framing));
        await Wait.UntilAsync(() => collector.LineCount() == 5_000, "5000 lines stored");
    }

    [Fact]
    public async Task AFilterRelaysOnlyWhatMatches()
    {
        using var dir = TempDirectory.Create();
        await using var target = SyslogTestListener.Start();
        Directory.CreateDirectory(dir.Combine("relays"));
        RelayDocs.Write(dir, "shop", target.TcpPort, extra: "  filter: '{namespace=\"shop\", severity<=\"warning\"} != \"healthz\"'\n");
        await using var collector = await RunningCollector.StartAsync(dir, "--relays", dir.Combine("relays"));

        string[] messages =
        [
            """<12>1 2026-11-23T10:00:00Z n1 web - stdout [k8s@32473 namespace="shop" pod="web-1" container="web"] wanted warning""",
            """<14>1 2026-11-23T10:00:00Z n1 web - stdout [k8s@32473 namespace="shop" pod="web-1" container="web"] info: not wanted""",
            """<11>1 2026-11-23T10:00:00Z n1 web - stdout [k8s@32473 namespace="other" pod="x" container="y"] error elsewhere""",
            """<11>1 2026-11-23T10:00:00Z n1 web - stdout [k8s@32473 namespace="shop" pod="web-1" container="web"] GET /healthz failed""",
            """<11>1 2026-11-23T10:00:00Z n1 web - stdout [k8s@32473 namespace="shop" pod="web-2" container="web"] wanted error""",

            // Last and matching: once it has arrived, every message before it has been filtered (one queue, in order).
            """<10>1 2026-11-23T10:00:00Z n1 web - stdout [k8s@32473 namespace="shop" pod="web-3" container="web"] wanted marker""",
        ];
        using (var client = new System.Net.Sockets.TcpClient())
        {
            await client.ConnectAsync(collector.Tcp);
            await client.GetStream().WriteAsync(Encoding.UTF8.GetBytes(string.Concat(messages.Select(m => m + "\n"))));
        }

        await Wait.UntilAsync(() => collector.LineCount() == 6, "6 lines stored");
        await Wait.UntilAsync(
            () => target.Frames.Any(
                f => Encoding.UTF8.GetString(f.Payload).EndsWith("wanted marker", StringComparison.Ordinal)),
            "the last matching message relayed");
        Assert.Equal([messages[0], messages[4], messages[5]], target.Frames.Select(f => Encoding.UTF8.GetString(f.Payload)));
    }

    [Fact]
    public async Task UdpRelaysSendOneDatagramPerMessageCutToTheDatagramSize()
    {
        using var dir = TempDirectory.Create();
        await using var target = SyslogTestListener.Start();
        Directory.CreateDirectory(dir.Combine("relays"));
        RelayDocs.Write(dir, "udp", target.UdpPort, "udp", "  maxDatagramSize: 1024\n");
        await using var collector = await RunningCollector.StartAsync(dir, "--relays", dir.Combine("relays"));

        // UDP cannot push back: bursts, each awaited, keep the receiver's socket buffer from overflowing.
        for (int first = 0; first < 1_000; first += 100)
        {
            await RelayDocs.SendAsync(collector, 2, first, 100);
            await RelayDocs.UntilAsync(collector, () => target.Frames.Count >= first + 100, $"{first + 100} datagrams");
        }

        // Exactly one datagram per message, in order, each the message itself; the 8 KiB one (seq 999) cut to the
        // datagram size.
        var frames = await target.WaitForQuietAsync(1_000);
        Assert.Equal(Enumerable.Range(0, 1_000), RelayDocs.Sequences(frames, 2));
        Assert.Equal(1_000, frames.Count);
        Assert.All(frames, f => Assert.Null(f.Framing));
        for (int seq = 0; seq < 999; seq++)
        {
            Assert.True(
                SequencedMessages.Message(2, seq).AsSpan().SequenceEqual(frames[seq].Payload),
                $"datagram {seq} changed: {Encoding.UTF8.GetString(frames[seq].Payload)}");
        }

        Assert.True(frames[999].Payload.Length <= 1024, $"the 8 KiB message sent as {frames[999].Payload.Length} bytes");
        Assert.True(
            SequencedMessages.Message(2, 999).AsSpan().StartsWith(frames[999].Payload.AsSpan(0, 900)),
            "the cut message starts as the original");
        var metrics = await RelayDocs.MetricsAsync(collector);
        Assert.Equal(1, RelayDocs.Metric(metrics, "relay_truncated_messages_total", "udp"));
    }

    [Fact]
    public async Task ATwentySecondOutageIsBridgedByTheQueue()
    {
        using var dir = TempDirectory.Create();
        int port = LoopbackTcpReceiver.ReservePort();
        var listener = SyslogTestListener.Start(port: port); // disposed below: that is the outage
        Directory.CreateDirectory(dir.Combine("relays"));
        RelayDocs.Write(dir, "late", port);
        await using var collector = await RunningCollector.StartAsync(dir, "--relays", dir.Combine("relays"));
        await RelayDocs.SendAsync(collector, 3, 0, 1_000);
        await listener.WaitForFramesAsync(1_000);

        // The target goes away while messages keep coming. Each burst is stored and queued, with the relay
        // disconnected, before the next; the queue, not a lucky reconnect, must bridge the outage. The outage lasts
        // (20 s) so that the relay's reconnect attempts back off to their longest delay meanwhile.
        await listener.DisposeAsync();
        long outageEnds = Environment.TickCount64 + 20_000;
        for (int burst = 1; burst <= 10; burst++)
        {
            await RelayDocs.SendAsync(collector, 3, burst * 1_000, 1_000);
            await Wait.UntilAsync(() => collector.LineCount() == (burst + 1) * 1_000, $"burst {burst} stored while the relay target is down");
            await RelayDocs.UntilAsync(
                collector,
                () => RelayDocs.Metric(
                        RelayDocs.MetricsAsync(collector).GetAwaiter().GetResult(), "relay_queued_messages", "late")
                    >= burst * 1_000,
                $"burst {burst} queued");
            Assert.Equal(0, RelayDocs.Metric(await RelayDocs.MetricsAsync(collector), "relay_connected", "late"));
        }

        // The rest of the outage: the relay keeps failing to connect until the target is back.
        while (Environment.TickCount64 < outageEnds)
        {
            await Task.Delay(500);
            Assert.Equal(0, RelayDocs.Metric(await RelayDocs.MetricsAsync(collector), "relay_connected", "late"));
        }

        await using var back = SyslogTestListener.Start(port: port);
        var frames = await back.WaitForQuietAsync(10_000, TimeSpan.FromSeconds(30));

        // At least once: a batch cut by the outage may come again; none is missing.
        Assert.Equal(Enumerable.Range(1_000, 10_000), RelayDocs.Sequences(frames, 3).Distinct().Order());
        string metrics = await RelayDocs.MetricsAsync(collector);
        Assert.Equal(0, RelayDocs.Metric(metrics, "relay_dropped_messages_total", "late"));
        Assert.Equal(0, RelayDocs.Metric(metrics, "relay_queued_messages", "late"));
    }

    [Fact]
    public async Task ARemovedRelayDeliversWhatItHoldsBeforeItStops()
    {
        using var dir = TempDirectory.Create();
        int port = LoopbackTcpReceiver.ReservePort();
        Directory.CreateDirectory(dir.Combine("relays"));
        RelayDocs.Write(dir, "leaving", port);
        await using var collector = await RunningCollector.StartAsync(dir, "--relays", dir.Combine("relays"));
        await RelayDocs.SendAsync(collector, 15, 0, 2_000);
        await RelayDocs.UntilAsync(
            collector,
            () => RelayDocs.Metric(
                    RelayDocs.MetricsAsync(collector).GetAwaiter().GetResult(), "relay_queued_messages", "leaving")
                == 2_000,
            "2000 queued");

        File.Delete(dir.Combine("relays", "leaving.yaml"));
        await RelayDocs.UntilAsync(
            collector,
            () => !RelayDocs.StatusText(collector).GetAwaiter().GetResult()
                .Contains("\"leaving\"", StringComparison.Ordinal),
            "the relay gone from the status",
            TimeSpan.FromSeconds(2));
        await using var target = SyslogTestListener.Start(port: port);

        var frames = await target.WaitForFramesAsync(2_000, TimeSpan.FromSeconds(15));
        Assert.Equal(Enumerable.Range(0, 2_000), RelayDocs.Sequences(frames, 15).Distinct().Order());
        await RelayDocs.SendAsync(collector, 15, 2_000, 10);
        await Wait.UntilAsync(() => collector.LineCount() == 2_010, "later messages stored");
        Assert.Equal(2_000, RelayDocs.Sequences(target.Frames, 15).Distinct().Count());
    }

    [Fact]
    public async Task WithATinyQueueAndNoSpillTheOldestAreDroppedAndCounted()
    {
        using var dir = TempDirectory.Create();
        int port = LoopbackTcpReceiver.ReservePort();
        Directory.CreateDirectory(dir.Combine("relays"));
        RelayDocs.Write(dir, "tiny", port, extra: "  queue: {maxBytes: 64KiB, spill: none}\n");
        await using var collector = await RunningCollector.StartAsync(dir, "--relays", dir.Combine("relays"));

        await RelayDocs.SendAsync(collector, 4, 0, 10_000);
        await Wait.UntilAsync(() => collector.LineCount() == 10_000, "all stored");

        string metrics = await RelayDocs.MetricsAsync(collector);
        double dropped = RelayDocs.Metric(metrics, "relay_dropped_messages_total", "tiny");
        double queued = RelayDocs.Metric(metrics, "relay_queued_messages", "tiny");
        Assert.True(dropped > 5_000, $"dropped {dropped}");
        Assert.Equal(10_000, dropped + queued);

        await using var target = SyslogTestListener.Start(port: port);
        await target.WaitForFramesAsync((int)queued);
        // The newest are kept, and the chunk that was in hand when the target went away (the oldest).
        var sequences = RelayDocs.Sequences(target.Frames, 4);
        Assert.Equal(9_999, sequences.Max());
        Assert.True(sequences.Count(s => s < 5_000) < 1_000, "at most the chunk in hand is old");
    }

    [Fact]
    public async Task ARelayThatNeverReadsHoldsUpNeitherIngestNorTheOtherRelays()
    {
        using var dir = TempDirectory.Create();
        using var stuck = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        stuck.Start(); // accepts connections (kernel backlog) and never reads
        await using var good = SyslogTestListener.Start();
        Directory.CreateDirectory(dir.Combine("relays"));
        RelayDocs.Write(dir, "stuck", ((System.Net.IPEndPoint)stuck.LocalEndpoint).Port, extra: "  queue: {maxBytes: 1MiB}\n");
        RelayDocs.Write(dir, "good", good.TcpPort);
        await using var collector = await RunningCollector.StartAsync(dir, "--relays", dir.Combine("relays"));

        await RelayDocs.SendAsync(collector, 5, 0, 100_000);

        await Wait.UntilAsync(() => collector.LineCount() == 100_000, "all stored", TimeSpan.FromSeconds(60));
        var frames = await good.WaitForFramesAsync(100_000, TimeSpan.FromSeconds(60));
        Assert.Equal(Enumerable.Range(0, 100_000), RelayDocs.Sequences(frames, 5));
        string metrics = await RelayDocs.MetricsAsync(collector);
        Assert.True(RelayDocs.Metric(metrics, "relay_dropped_messages_total", "stuck") > 0, "the stuck relay dropped its oldest");
    }

    [Fact]
    public async Task SpilledMessagesSurviveACollectorRestartAndArriveInOrder()
    {
        using var dir = TempDirectory.Create();
        int port = LoopbackTcpReceiver.ReservePort();
        Directory.CreateDirectory(dir.Combine("relays"));
        RelayDocs.Write(dir, "durable", port, extra: "  queue: {maxBytes: 256KiB, spill: disk, maxSpillBytes: 256MiB}\n");
        await using (var first = await RunningCollector.StartAsync(dir, "--relays", dir.Combine("relays")))
        {
            await RelayDocs.SendAsync(first, 11, 0, 20_000);
            await Wait.UntilAsync(() => first.LineCount() == 20_000, "all stored");
            await Wait.UntilAsync(
                () => RelayDocs.Metric(RelayDocs.MetricsAsync(first).Result, "relay_queued_messages", "durable")
                    == 20_000,
                "all queued");
            Assert.True(RelayDocs.Metric(await RelayDocs.MetricsAsync(first), "relay_spilled_bytes", "durable") > 1 << 20, "most of it on disk");
        }

        Assert.NotEmpty(Directory.GetFiles(dir.Combine("relay-spill", "durable")));
        await using var second = await RunningCollector.StartAsync(dir, "--relays", dir.Combine("relays"));
        await using var target = SyslogTestListener.Start(port: port);

        var frames = await target.WaitForFramesAsync(20_000, TimeSpan.FromSeconds(60));
        Assert.Equal(Enumerable.Range(0, 20_000), RelayDocs.Sequences(frames, 11));
        Assert.Equal(0, RelayDocs.Metric(await RelayDocs.MetricsAsync(second), "relay_dropped_messages_total", "durable"));
    }

    [Fact]
    public async Task ADamagedSpillSegmentIsSkippedAndCountedWhileTheRelayDelivers()
    {
        using var dir = TempDirectory.Create();
        await using var target = SyslogTestListener.Start();
        Directory.CreateDirectory(dir.Combine("relays"));
        Directory.CreateDirectory(dir.Combine("relay-spill", "durable"));
        File.WriteAllText(dir.Combine("relay-spill", "durable", "0.seg"), "not a segment, e.g. a torn write");
        RelayDocs.Write(dir, "durable", target.TcpPort, extra: "  queue: {spill: disk}\n");
        await using var collector = await RunningCollector.StartAsync(dir, "--relays", dir.Combine("relays"));

        await RelayDocs.SendAsync(collector, 21, 0, 10);

        Assert.Equal(Enumerable.Range(0, 10), RelayDocs.Sequences(await target.WaitForFramesAsync(10), 21));
        Assert.Equal(1, RelayDocs.Metric(await RelayDocs.MetricsAsync(collector), "relay_spill_errors_total", "durable"));
    }
}
