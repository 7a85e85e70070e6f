using System.Buffers;
using System.Text;
using Shared.Framing;
using Shared.Syslog;
using TestSupport;

namespace Shared.Tests.Interop;

/// <summary>
/// util-linux <c>logger</c> (the real peer) sends into a loopback listener built from our framers; our parser must
/// read exactly what it was told to send.
/// </summary>
public class LoggerInteropTests
{
    private static readonly TimeSpan ClockTolerance = TimeSpan.FromMinutes(5);

    private static async Task<SyslogMessage> SendOneAsync(Func<SyslogTestListener, IEnumerable<string>> arguments, SyslogFraming? expectedFraming)
    {
        await using var listener = SyslogTestListener.Start();
        var result = await ProcessRunner.RunAsync(Peers.Require("logger"), arguments(listener));
        Assert.True(result.ExitCode == 0, $"logger failed: {result.StandardError}");

        var frames = await listener.WaitForFramesAsync(1);
        Assert.Single(frames);
        Assert.Equal(expectedFraming, frames[0].Framing);
        return Parse(frames[0].Payload);
    }

    private static SyslogMessage Parse(byte[] frame)
    {
        var status = Rfc5424Parser.TryParse(frame, out var header, out var error);
        Assert.True(status == OperationStatus.Done, $"{error}: {Encoding.UTF8.GetString(frame)}");
        return SyslogMessage.Create(frame, header);
    }

    private static void AssertLoggerDefaults(SyslogMessage message)
    {
        Assert.Equal(1, message.Version);
        Assert.Equal(Environment.MachineName, message.HostName);
        Assert.True(message.Timestamp.HasValue);
        Assert.Equal(6, message.Timestamp.FractionDigits);
        Assert.InRange(message.Timestamp.Value, TimeProvider.System.GetUtcNow() - ClockTolerance, TimeProvider.System.GetUtcNow() + ClockTolerance);
        var timeQuality = Assert.Single(message.StructuredData, e => e.Id == "timeQuality");
        Assert.Equal("1", timeQuality["tzKnown"]);
    }

    [PeerFact("logger")]
    public async Task ReadsEveryFieldLoggerSendsOctetCountedOverTcp()
    {
        var message = await SendOneAsync(
            l => ["--rfc5424", "--octet-count", "-T", "-n", "127.0.0.1", "-P", $"{l.TcpPort}", "-t", "kube-test",
                "-p", "local0.info", "--id=4242", "--msgid", "MID7",
                "--sd-id", "zoo@32473", "--sd-param", "k=\"a\\\"b\\\\c\\]d\"", "--sd-param", "tiger=\"hungry\"", "hello octet counted"],
            SyslogFraming.OctetCounting);

        AssertLoggerDefaults(message);
        Assert.Equal(Facility.Local0, message.Facility);
        Assert.Equal(Severity.Informational, message.Severity);
        Assert.Equal("kube-test", message.AppName);
        Assert.Equal("4242", message.ProcId);
        Assert.Equal("MID7", message.MsgId);
        var zoo = Assert.Single(message.StructuredData, e => e.Id == "zoo@32473");
        Assert.Equal([new("k", "a\"b\\c]d"), new("tiger", "hungry")], zoo.Parameters);
        Assert.Equal("hello octet counted", message.MessageText);
        Assert.False(message.HasBom);
    }

    [PeerFact("logger")]
    public async Task ReadsALineFramedMessageOverTcp()
    {
        var message = await SendOneAsync(
            l => ["--rfc5424", "-T", "-n", "127.0.0.1", "-P", $"{l.TcpPort}", "-t", "myapp", "-p", "user.notice", "hello non-transparent"],
            SyslogFraming.LineFeed);

        AssertLoggerDefaults(message);
        Assert.Equal(new SyslogPriority(Facility.User, Severity.Notice), message.Priority);
        Assert.Equal("myapp", message.AppName);
        Assert.Null(message.ProcId);
        Assert.Null(message.MsgId);
        Assert.Equal("hello non-transparent", message.MessageText);
    }

    [PeerFact("logger")]
    public async Task ReadsAUdpDatagram()
    {
        var message = await SendOneAsync(
            l => ["--rfc5424", "-d", "-n", "127.0.0.1", "-P", $"{l.UdpPort}", "-t", "myapp", "-p", "user.warning", "hello udp ünïcödé"],
            expectedFraming: null);

        AssertLoggerDefaults(message);
        Assert.Equal(Severity.Warning, message.Severity);
        Assert.Equal("hello udp ünïcödé", message.MessageText);
    }

    [PeerFact("logger")]
    public async Task ReadsManyMessagesOfMixedSizesOnOneConnectionInOrder()
    {
        // logger sends each stdin line as one message on one connection; --size lifts its 1 KiB default cut.
        var lines = Enumerable.Range(0, 200).Select(i => $"line {i:D4} " + new string((char)('a' + (i % 26)), i * 97 % 9000)).ToArray();
        await using var listener = SyslogTestListener.Start();

        var result = await ProcessRunner.RunAsync(
            Peers.Require("logger"),
            ["--rfc5424", "--octet-count", "-T", "--size", "16384", "-n", "127.0.0.1", "-P", $"{listener.TcpPort}", "-t", "bulk"],
            standardInput: Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));
        Assert.True(result.ExitCode == 0, result.StandardError);

        var frames = await listener.WaitForFramesAsync(lines.Length);
        Assert.Equal(lines, frames.Select(f => Parse(f.Payload).MessageText));
        Assert.Empty(listener.Errors);
    }

    [PeerFact("logger")]
    public async Task AMessageLongerThanTheLimitArrivesTruncatedAndTheNextOneIntact()
    {
        await using var listener = SyslogTestListener.Start(maxFrameLength: 1024);
        string[] lines = [new string('x', 5000), "after the long one"];

        var result = await ProcessRunner.RunAsync(
            Peers.Require("logger"),
            ["--rfc5424", "--octet-count", "-T", "--size", "16384", "-n", "127.0.0.1", "-P", $"{listener.TcpPort}", "-t", "long"],
            standardInput: Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));
        Assert.True(result.ExitCode == 0, result.StandardError);

        var frames = await listener.WaitForFramesAsync(2);
        Assert.Equal(2, frames.Count);
        Assert.True(frames[0].IsTruncated);
        Assert.Equal(1024, frames[0].Payload.Length);
        Assert.False(frames[1].IsTruncated);
        Assert.Equal("after the long one", Parse(frames[1].Payload).MessageText);
    }

    [PeerTheory("logger")]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ReadsTheLegacyRfc3164FormatOverTcpAndUdp(bool tcp)
    {
        await using var listener = SyslogTestListener.Start();
        string[] transport = tcp ? ["-T", "-P", $"{listener.TcpPort}"] : ["-d", "-P", $"{listener.UdpPort}"];

        var result = await ProcessRunner.RunAsync(
            Peers.Require("logger"),
            ["--rfc3164", "-n", "127.0.0.1", .. transport, "-t", "oldapp", "--id=77", "-p", "mail.err", "legacy message"]);
        Assert.True(result.ExitCode == 0, result.StandardError);

        var frame = Assert.Single(await listener.WaitForFramesAsync(1)).Payload;
        var now = TimeProvider.System.GetLocalNow();
        Assert.Equal(SyslogFormat.Rfc3164, SyslogParser.Detect(frame));
        Assert.Equal(OperationStatus.Done, SyslogParser.TryParse(frame, now, out var header, out _));
        var message = SyslogMessage.Create(frame, header);
        Assert.Equal(new SyslogPriority(Facility.Mail, Severity.Error), message.Priority);
        Assert.Equal(Environment.MachineName, message.HostName);
        Assert.Equal("oldapp", message.AppName);
        Assert.Equal("77", message.ProcId);
        Assert.Equal("legacy message", message.MessageText);
        Assert.Equal(0, message.Timestamp.FractionDigits);
        Assert.InRange(message.Timestamp.Value, now - ClockTolerance, now + ClockTolerance);
    }
}
