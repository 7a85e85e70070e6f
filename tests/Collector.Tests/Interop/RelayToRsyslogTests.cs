using System.Net.Sockets;
using System.Text;
using TestSupport;

namespace Collector.Tests.Interop;

/// <summary>
/// A real rsyslogd is the external target of a relay: every message the Collector receives must arrive there once,
/// with its header and the Kubernetes identity in its structured data (or, for an RFC 3164 relay, in its full tag).
/// </summary>
public sealed class RelayToRsyslogTests
{
    private const int Count = 2_000;

    [PeerTheory("rsyslogd")]
    [InlineData("tcp", "octet-counted")]
    [InlineData("tcp", "lf")]
    [InlineData("udp", null)]
    public async Task EveryMessageArrivesAtRsyslogWithItsKubernetesIdentity(string protocol, string? framing)
    {
        using var dir = TempDirectory.Create($"relay-rsyslog-{protocol}-{framing}");
        await using var rsyslog = await RsyslogProcess.StartAsync(dir);
        Directory.CreateDirectory(dir.Combine("relays"));
        int port = protocol == "udp" ? rsyslog.UdpPort : rsyslog.TcpPort;
        File.WriteAllText(dir.Combine("relays", "rsyslog.yaml"), $"""
            kind: logforwarder
            version: v2
            metadata:
              name: rsyslog
            spec:
              address: 127.0.0.1:{port}
              protocol: {protocol}
            {(framing is null ? "" : $"  framing: {framing}")}
            """);
        await using var collector = await RunningCollector.StartAsync(dir, "--relays", dir.Combine("relays"));

        // UDP cannot push back: bursts, each awaited at rsyslog, keep its socket buffer from overflowing.
        int burst = protocol == "udp" ? 100 : Count;
        for (int start = 0; start < Count; start += burst)
        {
            await SendAsync(collector, start, burst);
            await Wait.UntilAsync(
                () => rsyslog.ReadLines().Count >= start + burst,
                $"{start + burst} messages at rsyslogd (have {rsyslog.ReadLines().Count}): {rsyslog.Diagnostics}");
        }

        var lines = rsyslog.ReadLines();
        Assert.Equal(Count, lines.Count);
        for (int i = 0; i < Count; i++)
        {
            var fields = lines[i].Split('\t');
            Assert.Equal(["11", "1", "2026-11-23T10:00:00.123456Z", "node-7", "api", "4242", "stderr"], fields[..7]);
            Assert.Equal(
                """[k8s@32473 namespace="payments-production" pod="api-5c7d9b8f6d-x2x7q" container="api" """ +
                $"""container_id="{i:D12}"]""",
                fields[7]);
            Assert.Equal($"request {i} failed: timeout", fields[8]);
        }
    }

    [PeerFact("rsyslogd")]
    public async Task AnRfc3164RelayKeepsTheWholeTagThatRsyslogsTemplateCutAt32()
    {
        using var dir = TempDirectory.Create();
        await using var rsyslog = await RsyslogProcess.StartAsync(dir, @"%syslogtag%\t%hostname%\t%msg%\n");
        Directory.CreateDirectory(dir.Combine("relays"));
        File.WriteAllText(
            dir.Combine("relays", "legacy.yaml"),
            $"kind: logforwarder\nversion: v2\nmetadata: {{name: legacy}}\n" +
            $"spec: {{address: '127.0.0.1:{rsyslog.TcpPort}', format: rfc3164, framing: lf}}\n");
        await using var collector = await RunningCollector.StartAsync(dir, "--relays", dir.Combine("relays"));

        await SendAsync(collector, 0, 10);

        await Wait.UntilAsync(() => rsyslog.ReadLines().Count >= 10, $"10 messages at rsyslogd: {rsyslog.Diagnostics}");
        var first = rsyslog.ReadLines()[0].Split('\t');
        Assert.True(first[0].Length > 32, first[0]);
        Assert.Equal("payments-production/api-5c7d9b8f6d-x2x7q/api[4242]:", first[0]);
        Assert.Equal("node-7", first[1]);
        Assert.Equal(" request 0 failed: timeout", first[2]);
    }

    private static async Task SendAsync(RunningCollector collector, int first, int count)
    {
        var text = new StringBuilder();
        for (int i = first; i < first + count; i++)
        {
            string message =
                """<11>1 2026-11-23T10:00:00.123456Z node-7 api 4242 stderr """ +
                """[k8s@32473 namespace="payments-production" pod="api-5c7d9b8f6d-x2x7q" container="api" """ +
                $"""container_id="{i:D12}"] request {i} failed: timeout""";
            text.Append(Encoding.UTF8.GetByteCount(message)).Append(' ').Append(message);
        }

        using var client = new TcpClient();
        await client.ConnectAsync(collector.Tcp);
        await client.GetStream().WriteAsync(Encoding.UTF8.GetBytes(text.ToString()));
    }
}
