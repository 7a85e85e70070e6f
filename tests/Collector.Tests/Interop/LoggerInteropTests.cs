using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using TestSupport;

namespace Collector.Tests.Interop;

/// <summary>
/// util-linux <c>logger</c> (the real peer) sends to the running Collector; each stored line must hold exactly the
/// fields logger was told to send. Only what logger decides itself is matched by shape: the timestamp, and its
/// <c>[timeQuality …]</c> element (<c>isSynced</c> and <c>syncAccuracy</c> depend on this machine's NTP state).
/// </summary>
public sealed class LoggerInteropTests
{
    private static readonly TimeSpan ClockTolerance = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan Delivery = TimeSpan.FromSeconds(5);

    private static readonly Dictionary<string, string> Placeholders = new()
    {
        // RFC 3339 with 0-6 fraction digits; the Collector writes a zero offset as Z, logger as +00:00.
        ["{TS}"] = @"(?<ts>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:\d\d))",
        ["{TQ}"] = @"\[timeQuality tzKnown=""1"" isSynced=""[01]""(?: syncAccuracy=""\d+"")?\]",
    };

    /// <summary>Logger's RFC 5424 HOSTNAME is gethostname() whole.</summary>
    private static string HostName => Dns.GetHostName();

    /// <summary>Logger's RFC 3164 HOSTNAME is gethostname() up to the first dot.</summary>
    private static string ShortHostName => HostName.Split('.')[0];

    [PeerTheory("logger")]
    [InlineData("octet-counted TCP")]
    [InlineData("LF-framed TCP")]
    [InlineData("UDP")]
    public async Task StoresEveryFieldOfAnRfc5424MessageFromLogger(string transport)
    {
        using var dir = TempDirectory.Create($"logger-5424-{transport.Split(' ')[0]}");
        await using var collector = await RunningCollector.StartAsync(dir);
        (string[] via, string received) = transport switch
        {
            "octet-counted TCP" => (["--octet-count", "-T", "-P", $"{collector.Tcp.Port}"], "transport=\"tcp\",framing=\"octet-counted\""),
            "LF-framed TCP" => (["-T", "-P", $"{collector.Tcp.Port}"], "transport=\"tcp\",framing=\"lf\""),
            _ => (new[] { "-d", "-P", $"{collector.Udp!.Port}" }, "transport=\"udp\",framing=\"datagram\""),
        };

        string line = await LogOneAsync(
            collector,
            ["--rfc5424", "-n", "127.0.0.1", .. via, "-t", "kube-test", "-p", "local3.warning", "--id=4242", "--msgid", "MID7",
                "--sd-id", "zoo@32473", "--sd-param", "k=\"a\\\"b\\\\c\\]d\"", "--sd-param", "tiger=\"hungry\"",
                "héllo ünïcödé ✓ 日本語"]);

        AssertLine(
            $"{{TS}} {HostName} kube-test[4242]: local3.warning MID7 {{TQ}}[zoo@32473 k=\"a\\\"b\\\\c\\]d\" tiger=\"hungry\"] héllo ünïcödé ✓ 日本語",
            line);
        Assert.Equal(1, await collector.MetricAsync($"kubesyslog_collector_received_messages_total{{{received}}}"));
    }

    [PeerFact("logger")]
    public async Task ALoggerMessageWithDefaultsIsUserNoticeWithoutProcIdOrMsgId()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);

        string line = await LogOneAsync(
            collector, ["--rfc5424", "--octet-count", "-T", "-n", "127.0.0.1", "-P", $"{collector.Tcp.Port}", "-t", "myapp", "hello octet counted"]);

        AssertLine($"{{TS}} {HostName} myapp: user.notice - {{TQ}} hello octet counted", line);
    }

    [PeerTheory("logger")]
    [InlineData(true)]
    [InlineData(false)]
    public async Task StoresEveryFieldOfAnRfc3164MessageFromLoggerOverTcpAndUdp(bool tcp)
    {
        using var dir = TempDirectory.Create(tcp ? "logger-3164-tcp" : "logger-3164-udp");
        await using var collector = await RunningCollector.StartAsync(dir);
        string[] via = tcp ? ["-T", "-P", $"{collector.Tcp.Port}"] : ["-d", "-P", $"{collector.Udp!.Port}"];

        string line = await LogOneAsync(
            collector, ["--rfc3164", "-n", "127.0.0.1", .. via, "-t", "oldapp", "--id=77", "-p", "mail.err", "legacy ünï message"]);

        // RFC 3164 has no MSGID and no SD; its timestamp has no fraction and no offset (the Collector's
        // clock gives one).
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:Z|[+-]\d\d:\d\d) ", line);
        Assert.Equal($"{ShortHostName} oldapp[77]: mail.err - - legacy ünï message", line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
    }

    [PeerFact("logger")]
    public async Task ManyLinesLoggerReadsFromStdinAreStoredInOrderOnePerMessage()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);

        // Each stdin line is one message on one connection; --size lifts logger's 1 KiB default cut for the long one.
        var texts = Enumerable.Range(0, 100).Select(i => $"line {i:D3} " + new string((char)('a' + (i % 26)), i == 50 ? 12_000 : i)).ToArray();
        var result = await ProcessRunner.RunAsync(
            Peers.Require("logger"),
            [
                "--rfc5424", "--octet-count", "-T", "--size", "16384", "-n", "127.0.0.1", "-P", $"{collector.Tcp.Port}",
                "-t", "bulk", "-p", "daemon.info",
            ],
            standardInput: Encoding.UTF8.GetBytes(string.Join('\n', texts) + "\n"));
        Assert.True(result.ExitCode == 0, $"logger failed: {result.StandardError}");

        await collector.WaitForLinesAsync(texts.Length, Delivery);
        var lines = collector.ReadLines();
        Assert.Equal(texts.Length, lines.Length);
        for (int i = 0; i < texts.Length; i++)
        {
            AssertLine($"{{TS}} {HostName} bulk: daemon.info - {{TQ}} {texts[i]}", lines[i]);
        }
    }

    [PeerFact("logger")]
    public async Task WithTheRfc5424FormatTheStoredLineIsTheMessageLoggerSent()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir, "--format", "rfc5424");

        string line = await LogOneAsync(
            collector,
            ["--rfc5424", "--octet-count", "-T", "-n", "127.0.0.1", "-P", $"{collector.Tcp.Port}", "-t", "kube-test", "-p", "local3.warning",
                "--id=4242", "--msgid", "MID7", "--sd-id", "zoo@32473", "--sd-param", "tiger=\"hungry\"", "as received ünï"]);

        // Logger's own timestamp text, +00:00 included: this format stores the frame untouched.
        AssertLine($"<156>1 {{TS}} {HostName} kube-test 4242 MID7 {{TQ}}[zoo@32473 tiger=\"hungry\"] as received ünï", line);
    }

    private static async Task<string> LogOneAsync(RunningCollector collector, string[] arguments)
    {
        var result = await ProcessRunner.RunAsync(Peers.Require("logger"), arguments);
        Assert.True(result.ExitCode == 0, $"logger failed: {result.StandardError}");
        await collector.WaitForLinesAsync(1, Delivery);
        return Assert.Single(collector.ReadLines());
    }

    /// <summary>
    /// <paramref name="expected"/> is the line exactly, but for <c>{TS}</c> (logger's clock, checked to be near ours)
    /// and <c>{TQ}</c> (its timeQuality element).
    /// </summary>
    private static void AssertLine(string expected, string actual)
    {
        string pattern = Regex.Escape(expected);
        foreach (var (placeholder, regex) in Placeholders)
        {
            pattern = pattern.Replace(Regex.Escape(placeholder), regex, StringComparison.Ordinal);
        }

        var match = Regex.Match(actual, "^" + pattern + "$");
        Assert.True(match.Success, $"The stored line differs.{Environment.NewLine}expected: {expected}{Environment.NewLine}actual:   {actual}");
        var sent = DateTimeOffset.Parse(match.Groups["ts"].Value, CultureInfo.InvariantCulture);
        var now = TimeProvider.System.GetUtcNow();
        Assert.InRange(sent, now - ClockTolerance, now + ClockTolerance);
    }
}
