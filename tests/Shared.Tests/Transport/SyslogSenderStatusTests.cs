using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Shared.Transport;
using TestSupport;

namespace Shared.Tests.Transport;

/// <summary>
/// <see cref="ISyslogSender.IsConnected"/> and <see cref="SyslogSenderCounters.LastError"/>, what a status page shows.
/// </summary>
public sealed class SyslogSenderStatusTests
{
    [Fact]
    public async Task ATcpSenderIsConnectedFromItsFirstSendUntilThePeerCloses()
    {
        await using var receiver = LoopbackTcpReceiver.Start();
        await using var sender = new TcpSyslogSender(TcpSyslogSenderTests.Options(receiver.Port));
        Assert.False(sender.IsConnected);

        await sender.SendAsync(SyslogMessages.Numbered(1));
        Assert.True(sender.IsConnected);

        // The send can return before the receiver accepted: close only once it holds the connection.
        await Wait.UntilAsync(() => receiver.TotalBytes > 0, "the receiver to accept and read the message");
        await receiver.CloseConnectionsAsync();
        await Wait.UntilAsync(() => !sender.IsConnected, "the closed connection to show");
    }

    [Fact]
    public async Task ADisposedTcpSenderIsNotConnected()
    {
        await using var receiver = LoopbackTcpReceiver.Start();
        var sender = new TcpSyslogSender(TcpSyslogSenderTests.Options(receiver.Port));
        await sender.SendAsync(SyslogMessages.Numbered(1));

        await sender.DisposeAsync();

        Assert.False(sender.IsConnected);
    }

    [Fact]
    public async Task AFailedConnectIsTheLastErrorWithItsTimeAndStaysAfterASuccess()
    {
        int port = LoopbackTcpReceiver.ReservePort();
        var time = new FakeTimeProvider();
        var options = TcpSyslogSenderTests.Options(port);
        options.MaxRetryAttempts = 0;
        await using var sender = new TcpSyslogSender(options, timeProvider: time);
        Assert.Null(sender.Counters.LastError);
        Assert.Null(sender.Counters.LastErrorAt);

        var refused = await Assert.ThrowsAsync<SocketException>(async () => await sender.SendAsync(SyslogMessages.Numbered(1)));
        Assert.Equal(refused.Message, sender.Counters.LastError);
        Assert.Equal(time.GetUtcNow(), sender.Counters.LastErrorAt);
        Assert.False(sender.IsConnected);

        var failedAt = time.GetUtcNow();
        time.Advance(TimeSpan.FromMinutes(1));
        await using var receiver = LoopbackTcpReceiver.Start(port);
        await sender.SendAsync(SyslogMessages.Numbered(2));

        Assert.True(sender.IsConnected);
        Assert.Equal(refused.Message, sender.Counters.LastError);
        Assert.Equal(failedAt, sender.Counters.LastErrorAt);
    }

    [Fact]
    public async Task AUdpSenderIsConnectedOnceItsSocketExists()
    {
        using var receiver = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await using var sender = new UdpSyslogSender(new SyslogSenderOptions
        {
            Host = "127.0.0.1",
            Port = ((IPEndPoint)receiver.Client.LocalEndPoint!).Port,
            Protocol = SyslogTransportProtocol.Udp,
        });
        Assert.False(sender.IsConnected);

        await sender.SendAsync(SyslogMessages.Numbered(1));

        Assert.True(sender.IsConnected);
        Assert.Null(sender.Counters.LastError);
    }
}
