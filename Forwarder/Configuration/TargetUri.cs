using System.Globalization;
using Shared.Framing;
using Shared.Transport;

namespace Forwarder.Configuration;

/// <summary>
/// A place to ship to: <c>tcp://host:port</c> (RFC 6587 octet counting), <c>tcp+lf://host:port</c> (one message per
/// line), <c>udp://host:port</c> (RFC 5426, one message per datagram) or <c>relp://host:port</c> (RELP: every message
/// acknowledged by the receiver, checkpoints follow the acknowledgements). The port defaults to 514 (2514 for RELP,
/// the Collector's RELP port).
/// </summary>
public sealed record TargetUri(SyslogTransportProtocol Protocol, SyslogFraming Framing, string Host, int Port)
{
    public const int DefaultPort = 514;

    /// <summary>
    /// The Collector's RELP listener; rsyslog's imrelp has no default and is often configured on 2514 too.
    /// </summary>
    public const int DefaultRelpPort = 2514;

    public static TargetUri Parse(string text) =>
        TryParse(text, out var target, out string? error) ? target : throw new FormatException(error);

    public static bool TryParse(string text, out TargetUri target, out string? error)
    {
        target = null!;
        error = null;
        int schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            error = "must look like relp://HOST:PORT, tcp://HOST:PORT, tcp+lf://HOST:PORT or udp://HOST:PORT";
            return false;
        }

        (SyslogTransportProtocol, SyslogFraming)? kind = text[..schemeEnd].ToLowerInvariant() switch
        {
            "tcp" => (SyslogTransportProtocol.Tcp, SyslogFraming.OctetCounting),
            "tcp+lf" => (SyslogTransportProtocol.Tcp, SyslogFraming.LineFeed),
            "udp" => (SyslogTransportProtocol.Udp, SyslogFraming.OctetCounting),
            "relp" => (SyslogTransportProtocol.Relp, SyslogFraming.OctetCounting),
            _ => null,
        };
        if (kind is not var (protocol, framing))
        {
            error = $"has an unknown scheme '{text[..schemeEnd]}' (relp, tcp, tcp+lf or udp)";
            return false;
        }

        string rest = text[(schemeEnd + 3)..].TrimEnd('/');
        string host = rest;
        int port = protocol == SyslogTransportProtocol.Relp ? DefaultRelpPort : DefaultPort;
        int colon = rest.LastIndexOf(':');
        bool bracketed = rest.StartsWith('[');
        if (colon >= 0 && (!bracketed || (colon > 0 && rest[colon - 1] == ']')))
        {
            host = rest[..colon];
            if (!int.TryParse(rest.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            {
                error = $"has a bad port '{rest[(colon + 1)..]}' (1-65535)";
                return false;
            }
        }

        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        if (host.Length == 0 || Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            error = $"has a bad host '{host}'";
            return false;
        }

        target = new TargetUri(protocol, framing, host, port);
        return true;
    }

    public override string ToString()
    {
        string scheme = Protocol switch
        {
            SyslogTransportProtocol.Udp => "udp",
            SyslogTransportProtocol.Relp => "relp",
            _ => Framing == SyslogFraming.LineFeed ? "tcp+lf" : "tcp",
        };
        string host = Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host;
        return string.Create(CultureInfo.InvariantCulture, $"{scheme}://{host}:{Port}");
    }
}
