using System.Net;
using System.Net.Sockets;

namespace Chaos;

/// <summary>
/// A loopback port that was free a moment ago, for a program that is killed and started again on the same port.
/// Nothing holds it between the check and the bind, nor between a kill and the restart, so another process could take
/// it; port 0 cannot help here, because the Forwarder must find the restarted Collector where the first one was.
/// </summary>
public static class FixedPort
{
    public static int Pick()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
