using Shared.Framing;
using Shared.Syslog;
using Shared.Transport;
using TestSupport;

namespace Shared.Tests.Transport;

/// <summary>
/// Our senders into a real rsyslogd; every line it writes must be exactly what we sent (see
/// <see cref="RsyslogRendering"/>).
/// </summary>
public sealed class RsyslogInteropTests
{
    private const int Count = 1000;

    [PeerTheory("rsyslogd")]
    [InlineData(SyslogFraming.OctetCounting)]
    [InlineData(SyslogFraming.LineFeed)]
    public async Task RsyslogWritesEveryFieldOfEveryMessageWeSentOverTcp(SyslogFraming framing)
    {
        using var directory = TempDirectory.Create($"rsyslog-tcp-{framing}");
        await using var rsyslog = await RsyslogProcess.StartAsync(directory);
        var messages = InteropMessages.Generate(Count, seed: 5424 + (int)framing);
        var options = new SyslogSenderOptions { Host = "127.0.0.1", Port = rsyslog.TcpPort, Framing = framing };
        await using var sender = new TcpSyslogSender(options);

        // Batches of varied size, as the forwarder's queue hands them over.
        for (int start = 0; start < Count; start += 1 + (start % 97))
        {
            var batch = messages.Skip(start).Take(1 + (start % 97)).Select(m => (ReadOnlyMemory<byte>)InteropMessages.ToBytes(m)).ToList();
            await sender.SendAsync(batch);
        }

        await AssertLinesAsync(rsyslog, messages, framing);
        Assert.Equal(Count, sender.Counters.MessagesSent);
    }

    [PeerFact("rsyslogd")]
    public async Task RsyslogWritesEveryFieldOfEveryDatagramWeSentOverUdp()
    {
        using var directory = TempDirectory.Create();
        await using var rsyslog = await RsyslogProcess.StartAsync(directory);

        var messages = InteropMessages.Generate(200, seed: 5426, maxBodyBytes: 1024);
        var options = new SyslogSenderOptions
        {
            Host = "127.0.0.1",
            Port = rsyslog.UdpPort,
            Protocol = SyslogTransportProtocol.Udp,
            MaxDatagramSize = 8192,
        };
        await using var sender = new UdpSyslogSender(options);

        // UDP has no backpressure: a burst of 200 overflows rsyslogd's receive buffer now and then (the kernel counts
        // it in RcvbufErrors). Bursts of 20, each awaited in the file, measure rsyslog's parsing, not the socket
        // buffer.
        foreach (var burst in messages.Chunk(20))
        {
            await sender.SendAsync(burst.Select(m => (ReadOnlyMemory<byte>)InteropMessages.ToBytes(m)).ToList());
            long sent = sender.Counters.MessagesSent;
            await Wait.UntilAsync(() => rsyslog.ReadLines().Count >= sent, $"rsyslogd to write {sent} lines");
        }

        await AssertLinesAsync(rsyslog, messages, SyslogFraming.OctetCounting);
        Assert.Equal(0, sender.Counters.Truncated + sender.Counters.FailedSends);
    }

    private static async Task AssertLinesAsync(RsyslogProcess rsyslog, List<SyslogMessage> messages, SyslogFraming framing)
    {
        try
        {
            await Wait.UntilAsync(
                () => rsyslog.ReadLines().Count >= messages.Count,
                $"rsyslogd to write {messages.Count} lines",
                TimeSpan.FromSeconds(30));
        }
        catch (Xunit.Sdk.XunitException e)
        {
            var written = rsyslog.ReadLines();
            string last = written.Count > 0 ? written[^1] : "none";
            throw new Xunit.Sdk.XunitException(
                $"{e.Message} It wrote {written.Count}, the last: {last}{Environment.NewLine}" +
                $"rsyslogd said: {rsyslog.Diagnostics}");
        }

        var lines = rsyslog.ReadLines();
        Assert.Equal(messages.Count, lines.Count);
        for (int i = 0; i < messages.Count; i++)
        {
            string expected = RsyslogRendering.Line(messages[i], framing);
            Assert.True(
                expected == lines[i],
                $"line {i} differs.{Environment.NewLine}sent:     {messages[i]}{Environment.NewLine}" +
                $"expected: {expected}{Environment.NewLine}actual:   {lines[i]}");
        }
    }
}
