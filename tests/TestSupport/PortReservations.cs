using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace TestSupport;

/// <summary>
/// Loopback ports held for a receiver that starts late: a TCP and a UDP socket bound to the port but not listening,
/// so that no other test (test classes run in parallel) can be given the port meanwhile, while a client connecting to
/// it is refused exactly as by a free port. The test's own listener releases the hold just before it binds.
/// </summary>
public static class PortReservations
{
    private static readonly ConcurrentDictionary<int, (Socket Tcp, Socket Udp)> Held = new();

    /// <summary>A loopback port that nothing listens on and that only <see cref="Release"/> gives back.</summary>
    public static int Reserve()
    {
        for (int attempt = 0; ; attempt++)
        {
            var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            int port = ((IPEndPoint)tcp.LocalEndPoint!).Port;
            var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                // SyslogTestListener takes the UDP port of the same number too.
                udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && attempt < 100)
            {
                udp.Dispose();
                tcp.Dispose();
                continue;
            }

            Held[port] = (tcp, udp);
            return port;
        }
    }

    /// <summary>
    /// Gives a reserved port back so that the caller can bind it now; a port never reserved is left alone.
    /// </summary>
    public static void Release(int port)
    {
        if (Held.TryRemove(port, out var sockets))
        {
            sockets.Tcp.Dispose();
            sockets.Udp.Dispose();
        }
    }
}
