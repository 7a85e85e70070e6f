using System.Text;
using Collector.Configuration;
using Microsoft.AspNetCore.Connections;

namespace Collector.Ingest.Tls;

/// <summary>
/// <c>--identity-from-cert</c> on one connection: a message's HOSTNAME must be the node its client certificate names
/// (<see cref="TlsPeer.IsNamed"/>). A message with a nil HOSTNAME claims no node and passes (its line shows the peer's
/// address). One that claims another is marked or rejected as <see cref="IdentityMismatch"/> says, counted per peer,
/// and logged at most once per interval.
/// </summary>
public sealed class IdentityCheck(TlsPeer peer, IdentityMismatch mismatch, TlsCounters counters, Action<string, string, bool, long> log)
{
    private readonly string _node = peer.Name ?? peer.Fingerprint;

    /// <summary>
    /// True when the message may be stored; <paramref name="spoofedBy"/> is the certificate's node when it is stored
    /// marked, else empty.
    /// </summary>
    public bool Accepts(ReadOnlySpan<byte> hostName, out ReadOnlyMemory<byte> spoofedBy)
    {
        spoofedBy = default;
        if (hostName.IsEmpty || peer.IsNamed(hostName))
        {
            return true;
        }

        bool reject = mismatch == IdentityMismatch.Reject;
        counters.Mismatch(_node, reject);
        if (counters.ShouldLog("identity " + _node, out long suppressed))
        {
            log(Encoding.ASCII.GetString(hostName[..Math.Min(hostName.Length, 64)]), _node, reject, suppressed);
        }

        if (reject)
        {
            return false;
        }

        spoofedBy = peer.MarkerName;
        return true;
    }

    /// <summary>The check for <paramref name="connection"/>, or null without --identity-from-cert or TLS.</summary>
    public static IdentityCheck? For(ConnectionContext connection, CollectorOptions options, TlsCounters counters, ILogger logger)
    {
        if (!options.IdentityFromCert || connection.Features.Get<TlsPeer>() is not { } peer)
        {
            return null;
        }

        string id = connection.ConnectionId;
        string? address = connection.RemoteEndPoint?.ToString();
        return new IdentityCheck(peer, options.IdentityMismatch, counters, (claimed, node, rejected, suppressed) =>
            TlsLog.IdentityMismatch(logger, id, address, claimed, node, rejected ? "dropped" : "stored marked spoofed=\"true\"", suppressed));
    }
}
