using System.Globalization;
using System.Net;
using System.Text;
using TestSupport;
using Xunit.Sdk;

namespace Collector.Tests.Interop;

/// <summary>
/// A real rsyslogd relays messages to the running Collector with <c>omfwd</c> and
/// <c>RSYSLOG_SyslogProtocol23Format</c>, the way a node's rsyslog forwards to a central one. Every message must be
/// stored once, in the order sent (TCP), with exactly the fields it was sent with.
/// </summary>
public sealed class RsyslogForwardingTests
{
    private const int Count = 200;

    private const int LongIndex = 100;

    private const int LongLength = 20 * 1024;

    private static readonly TimeSpan Delivery = TimeSpan.FromSeconds(10);

    private static readonly string[] Facilities =
    [
        "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp",
        "ntp", "audit", "alert", "clock", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
    ];

    private static readonly string[] Severities = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"];

    [PeerTheory("rsyslogd")]
    [InlineData("tcp", "octet-counted")]
    [InlineData("tcp", null)]
    [InlineData("udp", null)]
    public async Task EveryMessageRsyslogForwardsIsStoredOnceAndIntact(string protocol, string? tcpFraming)
    {
        using var dir = TempDirectory.Create($"rsyslog-{protocol}-{tcpFraming ?? "lf"}");
        await using var collector = await RunningCollector.StartAsync(dir);
        var target = protocol == "udp" ? collector.Udp! : collector.Tcp;
        await using var rsyslog = await RsyslogForwarder.StartAsync(dir, target, protocol, tcpFraming);
        var messages = Enumerable.Range(0, Count).Select(Message).ToList();

        // UDP cannot push back: bursts, each awaited in the file, keep the socket buffer from overflowing on a
        // busy machine.
        int burst = protocol == "udp" ? 50 : Count;
        for (int start = 0; start < Count; start += burst)
        {
            await rsyslog.SendAsync(messages.Skip(start).Take(burst).Select(m => m.Sent));
            await WaitForLinesAsync(collector, rsyslog, start + burst);
        }

        // The framing the Collector detected is the one omfwd was told to use, and every message parsed whole.
        string framing = protocol == "udp" ? "datagram" : tcpFraming ?? "lf";
        Assert.Equal(
            Count,
            await collector.MetricAsync(
                $"kubesyslog_collector_received_messages_total{{transport=\"{protocol}\",framing=\"{framing}\"}}"));
        Assert.Equal(
            Count,
            await collector.MetricAsync(
                $"kubesyslog_collector_parsed_messages_total{{transport=\"{protocol}\",format=\"rfc5424\"}}"));
        Assert.Equal(0, await collector.MetricAsync($"kubesyslog_collector_truncated_messages_total{{transport=\"{protocol}\"}}"));

        var expected = messages.Select(m => m.Stored).ToArray();
        var lines = collector.ReadLines();
        Assert.Equal(Count, lines.Length);
        if (protocol == "udp")
        {
            // Datagrams may be reordered; each must still be there exactly once.
            Array.Sort(expected, StringComparer.Ordinal);
            Array.Sort(lines, StringComparer.Ordinal);
        }

        for (int i = 0; i < Count; i++)
        {
            if (expected[i] != lines[i])
            {
                int at = expected[i].AsSpan().CommonPrefixLength(lines[i]);
                Assert.Fail(
                    $"line {i} differs at char {at}.{Environment.NewLine}" +
                    $"expected: {Shorten(expected[i])}{Environment.NewLine}actual:   {Shorten(lines[i])}");
            }
        }
    }

    [PeerFact("logger", "rsyslogd")]
    public async Task AMessageFromLoggerRelayedByRsyslogKeepsEveryField()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);
        await using var rsyslog = await RsyslogForwarder.StartAsync(dir, collector.Tcp, "tcp", "octet-counted");

        var result = await ProcessRunner.RunAsync(
            Peers.Require("logger"),
            ["--rfc5424=notq", "--octet-count", "-T", "-n", "127.0.0.1", "-P", $"{rsyslog.InputPort}", "-t", "relayed", "-p", "local5.err",
                "--id=321", "--msgid", "RELAY", "--sd-id", "ex@32473", "--sd-param", "a=\"1\"", "via rsyslog ünï"]);
        Assert.True(result.ExitCode == 0, $"logger failed: {result.StandardError}");

        await WaitForLinesAsync(collector, rsyslog, 1);
        string line = Assert.Single(collector.ReadLines());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(?:Z|[+-]\d\d:\d\d) ", line);
        Assert.Equal(
            $"{Dns.GetHostName()} relayed[321]: local5.err RELAY [ex@32473 a=\"1\"] via rsyslog ünï",
            line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
    }

    [PeerFact("logger", "rsyslogd")]
    public async Task ALegacyMessageRsyslogRewritesAsRfc5424KeepsTheLeadingSpaceOfItsMsg()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);
        await using var rsyslog = await RsyslogForwarder.StartAsync(dir, collector.Tcp, "tcp", "octet-counted");

        var result = await ProcessRunner.RunAsync(
            Peers.Require("logger"),
            ["--rfc3164", "-T", "-n", "127.0.0.1", "-P", $"{rsyslog.InputPort}", "-t", "oldapp", "--id=77", "-p", "mail.err", "legacy in"]);
        Assert.True(result.ExitCode == 0, $"logger failed: {result.StandardError}");

        // rsyslog's MSG of an RFC 3164 message starts after the TAG's colon, so it keeps the SP that followed it and
        // sends "- -  legacy in": the Collector stores MSG as it came, after its own separator.
        await WaitForLinesAsync(collector, rsyslog, 1);
        string line = Assert.Single(collector.ReadLines());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:Z|[+-]\d\d:\d\d) ", line);
        Assert.Equal(
            $"{Dns.GetHostName().Split('.')[0]} oldapp[77]: mail.err - -  legacy in",
            line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
    }

    /// <summary>
    /// Message <paramref name="i"/> as sent to rsyslog, and the line the Collector must store for it.
    /// </summary>
    private static (byte[] Sent, string Stored) Message(int i)
    {
        int priority = i * 7 % 192;
        string timestamp = Timestamp(i);
        string host = $"node-{i % 4}.cluster.local";
        string app = $"app-{i % 5}";
        string procId = i % 3 == 0 ? "-" : $"{1000 + i}";
        string msgId = i % 4 == 0 ? "-" : $"M{i}";
        string sd = i switch
        {
            17 => """[ex@32473 a="1" q="say \"hi\" \\ \]"][origin ip="10.0.0.1"]""",
            _ when i % 10 == 0 => $"[seq@32473 n=\"{i}\"]",
            _ => "-",
        };
        string text = $"message {i:D3} of {Count}";
        string msg = i switch
        {
            7 => string.Empty,
            42 => $"{text} ünïcödé ✓ 日本語",
            LongIndex => $"{text} "
                + string.Concat(Enumerable.Range(0, LongLength - text.Length - 1).Select(k => (char)('a' + (k % 26)))),
            _ => text,
        };

        // rsyslog escapes control characters on receipt, as the Collector does: a TAB is #011 either way.
        string sentMsg = i == 150 ? $"{text}\twith a tab" : msg;
        string storedMsg = i == 150 ? $"{text}#011with a tab" : msg;

        string sent = $"<{priority}>1 {timestamp} {host} {app} {procId} {msgId} {sd}" + (sentMsg.Length > 0 ? $" {sentMsg}" : string.Empty);
        string tag = procId == "-" ? $"{app}:" : $"{app}[{procId}]:";
        string name = $"{Facilities[priority >> 3]}.{Severities[priority & 7]}";
        string stored = $"{timestamp} {host} {tag} {name} {msgId} {sd}" + (storedMsg.Length > 0 ? $" {storedMsg}" : string.Empty);
        return (Encoding.UTF8.GetBytes(sent), stored);
    }

    /// <summary>0 to 6 fraction digits (trailing zeros kept), and offsets Z, +02:00 and -05:30.</summary>
    private static string Timestamp(int i)
    {
        int digits = i % 7;
        string fraction = digits == 0 ? string.Empty : "." + (i * 7919 % 1_000_000).ToString("D6", CultureInfo.InvariantCulture)[..digits];
        string offset = (i % 3) switch { 0 => "Z", 1 => "+02:00", _ => "-05:30" };
        return $"2026-11-22T{i / 60 % 24:D2}:{i % 60:D2}:{i * 13 % 60:D2}{fraction}{offset}";
    }

    private static async Task WaitForLinesAsync(RunningCollector collector, RsyslogForwarder rsyslog, int count)
    {
        try
        {
            await collector.WaitForLinesAsync(count, Delivery);
        }
        catch (XunitException e)
        {
            throw new XunitException($"{e.Message}{Environment.NewLine}rsyslogd said: {rsyslog.Diagnostics}");
        }
    }

    private static string Shorten(string line) => line.Length <= 300 ? line : $"{line[..300]}… ({line.Length} chars)";
}
