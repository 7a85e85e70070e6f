using System.Net;
using System.Text;

namespace Collector.Ingest;

/// <summary>
/// The sender's address as text (UTF-8), the HOSTNAME of messages that carry none (rsyslog with DNS lookups off does
/// the same). IPv4 arriving on a dual-stack listener is written as IPv4.
/// </summary>
public static class PeerName
{
    public static ReadOnlyMemory<byte> Of(EndPoint? endPoint) => endPoint switch
    {
        IPEndPoint ip => Encoding.ASCII.GetBytes((ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address).ToString()),
        null => "-"u8.ToArray(),
        _ => Encoding.ASCII.GetBytes(endPoint.ToString() ?? "-"),
    };

    public static ReadOnlyMemory<byte> Of(SocketAddress address) => Of(new IPEndPoint(IPAddress.Any, 0).Create(address));
}
