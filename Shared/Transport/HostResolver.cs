using System.Net;
using System.Net.Sockets;

namespace Shared.Transport;

/// <summary>
/// Turns <see cref="SyslogSenderOptions.Host"/> into addresses on every call: .NET caches no DNS answers, so a
/// Kubernetes Service whose IP changed is found at the next connect.
/// </summary>
internal static class HostResolver
{
    public static async ValueTask<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out var address))
        {
            return [address];
        }

        var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        return addresses.Length > 0 ? addresses : throw new SocketException((int)SocketError.HostNotFound);
    }
}
