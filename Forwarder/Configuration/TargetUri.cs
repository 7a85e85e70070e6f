using System.Globalization;
using Shared.Framing;
using Shared.Transport;

namespace Forwarder.Configuration;

/// <summary>
/// A place to ship to: <c>tcp://host:port</c> (RFC 6587 octet counting), <c>tcp+lf://host:port</c> (one message per
/// line), <c>udp://host:port</c> (RFC 5426, one message per datagram), <c>relp://host:port</c> (RELP: every message
/// acknowledged by the receiver, checkpoints follow the acknowledgements), <c>tls://host:port</c> (RFC 5425:
/// octet-counted inside TLS) or <c>relp+tls://host:port</c> (RELP inside TLS, as omrelp's <c>tls="on"</c>). The port
/// defaults to 514, 2514 for RELP with or without TLS (the Collector's RELP port), 6514 for TLS (RFC 5425 §4.1).
/// </summary>
public sealed record TargetUri(SyslogTransportProtocol Protocol, SyslogFraming Framing, string Host, int Port, bool Tls = false)
{
    public const int DefaultPort = 514;

    /// <summary>
    /// The Collector's RELP listener; rsyslog's imrelp has no default and its documentation puts RELP, with TLS
    /// or without, on 2514 too. RELP over TLS has no port of its own from IANA.
    /// </summary>
    public const int DefaultRelpPort = 2514;

    /// <summary>RFC 5425 §4.1: syslog over TLS is on port 6514.</summary>
    public const int DefaultTlsPort = 6514;

    private const string Expected =
        "must look like relp://HOST:PORT, relp+tls://HOST:PORT, tls://HOST:PORT, tcp://HOST:PORT, tcp+lf://HOST:PORT or udp://HOST:PORT";

    public static TargetUri Parse(string text) =>
        TryParse(text, out var target, out string? error) ? target : throw new FormatException(error);

    public static bool TryParse(string text, out TargetUri target, out string? error)
    {
        target = null!;
        error = null;
        int schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            error = Expected;
            return false;
        }

        (SyslogTransportProtocol, SyslogFraming, bool, int)? kind = text[..schemeEnd].ToLowerInvariant() switch
        {
            "tcp" => (SyslogTransportProtocol.Tcp, SyslogFraming.OctetCounting, false, DefaultPort),
            "tcp+lf" => (SyslogTransportProtocol.Tcp, SyslogFraming.LineFeed, false, DefaultPort),
            "udp" => (SyslogTransportProtocol.Udp, SyslogFraming.OctetCounting, false, DefaultPort),
            "relp" => (SyslogTransportProtocol.Relp, SyslogFraming.OctetCounting, false, DefaultRelpPort),

            // RFC 5425 §4.3: octet counting is the only framing over TLS.
            "tls" => (SyslogTransportProtocol.Tcp, SyslogFraming.OctetCounting, true, DefaultTlsPort),
            "relp+tls" => (SyslogTransportProtocol.Relp, SyslogFraming.OctetCounting, true, DefaultRelpPort),
            _ => null,
        };
        if (kind is not var (protocol, framing, tls, port))
        {
            error = $"has an unknown scheme '{text[..schemeEnd]}' (relp, relp+tls, tls, tcp, tcp+lf or udp)";
            return false;
        }

        string rest = text[(schemeEnd + 3)..].TrimEnd('/');
        string host = rest;
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

        target = new TargetUri(protocol, framing, host, port, tls);
        return true;
    }

    public override string ToString()
    {
        string scheme = Protocol switch
        {
            SyslogTransportProtocol.Udp => "udp",
            SyslogTransportProtocol.Relp => Tls ? "relp+tls" : "relp",
            _ when Tls => "tls",
            _ => Framing == SyslogFraming.LineFeed ? "tcp+lf" : "tcp",
        };
        string host = Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host;
        return string.Create(CultureInfo.InvariantCulture, $"{scheme}://{host}:{Port}");
    }
}
