using System.Net.Sockets;
using System.Text;
using TestSupport;

namespace Collector.Tests.Process;

public sealed class UdpDropWarningTests
{
    /// <summary>
    /// The kernel's drops are logged on a timer, not when the next datagram arrives: a burst that overflowed the
    /// receive buffer followed by silence was counted in /metrics but never logged.
    /// </summary>
    [Fact]
    public async Task ABurstThatOverflowedTheBufferIsLoggedEvenWhenNothingFollows()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await CollectorProcess.StartAsync(dir.Combine("messages"), "--udp", "127.0.0.1:0", "--udp-buffer", "64KiB");
        await Wait.UntilAsync(() => collector.Udp is not null, "the UDP listener");

        // A 64 KiB buffer holds a few dozen of these; the receiver formats and stores each, the sender only sends.
        using var sender = new UdpClient();
        sender.Connect(collector.Udp!);
        byte[] datagram = Encoding.ASCII.GetBytes("<14>1 - h app - - - " + new string('x', 1000));
        for (int i = 0; i < 200_000; i++)
        {
            sender.Send(datagram);
        }

        await Wait.UntilAsync(
            () => collector.Output.Contains("UDP socket dropped", StringComparison.Ordinal),
            "the drop warning",
            TimeSpan.FromSeconds(25));
    }
}
