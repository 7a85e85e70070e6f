using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Shared.Transport;
using TestSupport;

namespace Shared.Tests.Transport;

public sealed class UdpSyslogSenderTests
{
    [Fact]
    public async Task EachMessageIsOneUnframedDatagramByteExact()
    {
        using var receiver = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await using var sender = new UdpSyslogSender(Options(receiver));
        var batch = SyslogMessages.Batch(3);

        await sender.SendAsync(batch);

        foreach (var message in batch)
        {
            Assert.Equal(message.ToArray(), await ReceiveAsync(receiver));
        }

        Assert.Equal(3, sender.Counters.MessagesSent);
        Assert.Equal(batch.Sum(m => m.Length), sender.Counters.BytesSent);
        Assert.Equal(0, sender.Counters.Truncated);
    }

    [Fact]
    public async Task AnOversizeMessageIsCutAtAUtf8BoundaryAndCounted()
    {
        using var receiver = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var logger = new CollectingLogger();
        await using var sender = new UdpSyslogSender(Options(receiver, maxDatagramSize: 480), logger);
        byte[] header = Encoding.UTF8.GetBytes("<13>1 - hh a - - - ");

        // 19 header bytes + 155 × "€" (3 bytes each): the 154th euro sign is bytes 478..480, so a cut after 480 bytes
        // would keep two of its three bytes; the sender keeps 478.
        byte[] message = [.. header, .. Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("€", 155)))];
        Assert.Equal(484, message.Length);

        await sender.SendAsync(message);

        byte[] received = await ReceiveAsync(receiver);
        Assert.Equal(478, received.Length);
        Assert.Equal(message.AsSpan(0, 478).ToArray(), received);
        Assert.Equal(header.Length + (153 * 3), received.Length);
        Assert.Equal(1, sender.Counters.Truncated);
        Assert.Equal(1, sender.Counters.MessagesSent);
        var warning = Assert.Single(logger.WithEvent(905));
        Assert.Equal(1L, warning.Values["Truncated"]);
    }

    [Fact]
    public async Task AMessageOfExactlyMaxDatagramSizeIsNotCut()
    {
        using var receiver = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await using var sender = new UdpSyslogSender(Options(receiver, maxDatagramSize: 600));
        byte[] message = [.. Encoding.UTF8.GetBytes("<13>1 - h a - - - "), .. Enumerable.Repeat((byte)'z', 582)];

        await sender.SendAsync(message);

        Assert.Equal(message, await ReceiveAsync(receiver));
        Assert.Equal(0, sender.Counters.Truncated);
    }

    [Fact]
    public async Task SendingToAClosedPortDoesNotThrowAndCountsFailures()
    {
        int port;
        using (var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0)))
        {
            port = ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
        }

        var logger = new CollectingLogger();
        await using var sender = new UdpSyslogSender(
            new SyslogSenderOptions { Host = "127.0.0.1", Port = port, Protocol = SyslogTransportProtocol.Udp },
            logger);

        // Linux reports the ICMP port unreachable of one datagram on the next send of the connected socket.
        for (int i = 0; i < 20; i++)
        {
            await sender.SendAsync(SyslogMessages.Numbered(i));
        }

        Assert.InRange(sender.Counters.FailedSends, 1, 19);
        Assert.Equal(20, sender.Counters.FailedSends + sender.Counters.MessagesSent);
        var warning = Assert.Single(logger.WithEvent(904));
        Assert.Equal(SocketError.ConnectionRefused, Assert.IsType<SocketException>(warning.Exception).SocketErrorCode);
    }

    [Fact]
    public async Task FailuresAreLoggedAtMostOncePerTenSecondsWithTheCountInBetween()
    {
        var time = new FakeTimeProvider();
        var logger = new CollectingLogger();
        var options = new SyslogSenderOptions
        {
            Host = "host.invalid",
            Protocol = SyslogTransportProtocol.Udp,
            ReconnectDelay = TimeSpan.FromHours(1),
            MaxReconnectDelay = TimeSpan.FromHours(1),
        };
        await using var sender = new UdpSyslogSender(options, logger, time);

        // .invalid never resolves (RFC 6761): the first send fails on DNS, the rest within ReconnectDelay fail at once.
        for (int i = 0; i < 5; i++)
        {
            await sender.SendAsync(SyslogMessages.Numbered(i));
        }

        time.Advance(TimeSpan.FromSeconds(10));
        await sender.SendAsync(SyslogMessages.Numbered(5));

        Assert.Equal(6, sender.Counters.FailedSends);
        Assert.Equal([1L, 5L], logger.WithEvent(904).Select(e => (long)e.Values["Failures"]!));
    }

    [Fact]
    public async Task CancellationIsTheOneErrorThatThrows()
    {
        using var receiver = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await using var sender = new UdpSyslogSender(Options(receiver));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await sender.SendAsync(
            SyslogMessages.Numbered(1),
            new CancellationToken(canceled: true)));
        Assert.Equal(0, sender.Counters.MessagesSent + sender.Counters.FailedSends);
    }

    private static SyslogSenderOptions Options(UdpClient receiver, int maxDatagramSize = 2048) => new()
    {
        Host = "127.0.0.1",
        Port = ((IPEndPoint)receiver.Client.LocalEndPoint!).Port,
        Protocol = SyslogTransportProtocol.Udp,
        MaxDatagramSize = maxDatagramSize,
    };

    private static async Task<byte[]> ReceiveAsync(UdpClient receiver)
    {
        using var timeout = new CancellationTokenSource(Wait.DefaultTimeout);
        return (await receiver.ReceiveAsync(timeout.Token)).Buffer;
    }
}
