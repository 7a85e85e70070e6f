using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Collector.Ingest.Tls;

/// <summary>
/// What the handshake proved about a TLS client, set as a connection feature for the ingest handlers. The names are
/// the certificate's SAN DNS names, or its CN when it has none (RFC 5425 §5.2: CN only without dNSName SANs); wildcard
/// names name no node and are left out. <see cref="Name"/> (the first) is the node recorded on a marked line.
/// </summary>
public sealed class TlsPeer
{
    private const int MaxRecordedName = 200;

    private readonly string[] _names;

    private TlsPeer(string[] names, string fingerprint, string protocol)
    {
        _names = names;
        Fingerprint = fingerprint;
        Protocol = protocol;
        Name = names.Length > 0 ? names[0] : null;
        MarkerName = Encoding.ASCII.GetBytes(Escape(Name ?? fingerprint));
    }

    /// <summary>The node the certificate names; null for a client without one (or with only wildcard names).</summary>
    public string? Name { get; }

    /// <summary>Every node name the certificate carries, in its order.</summary>
    public IReadOnlyList<string> Names => _names;

    public string Fingerprint { get; }

    public string Protocol { get; }

    /// <summary>The name as an RFC 5424 PARAM-VALUE (<c>"</c>, <c>\</c>, <c>]</c> escaped), for the marker.</summary>
    public ReadOnlyMemory<byte> MarkerName { get; }

    /// <summary>A client that sent no certificate (client auth none).</summary>
    public static TlsPeer Anonymous(string protocol) => new([], "-", protocol);

    public static TlsPeer From(X509Certificate2 certificate, string protocol) =>
        new([.. NamesOf(certificate).Where(n => !n.Contains('*', StringComparison.Ordinal))],
            CertificateFingerprint.Format(CertificateFingerprint.Of(certificate)),
            protocol);

    /// <summary>The SAN DNS names, or the CN when there is none.</summary>
    public static IEnumerable<string> NamesOf(X509Certificate2 certificate)
    {
        var dns = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>()
            .SelectMany(san => san.EnumerateDnsNames())
            .ToList();
        if (dns.Count > 0)
        {
            return dns;
        }

        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (!rdn.HasMultipleElements && rdn.GetSingleElementType().Value == "2.5.4.3" && rdn.GetSingleElementValue() is { Length: > 0 } cn)
            {
                return [cn];
            }
        }

        return [];
    }

    /// <summary>
    /// The HOSTNAME is this node: equal to one of its names, or to the first label of one (a node named
    /// <c>node-1.nodes.example</c> may write <c>node-1</c>, as Kubernetes node names usually are), ignoring case.
    /// </summary>
    public bool IsNamed(ReadOnlySpan<byte> hostName)
    {
        if (hostName.IsEmpty || hostName.Length > 253)
        {
            return false;
        }

        Span<char> host = stackalloc char[hostName.Length];
        for (int i = 0; i < hostName.Length; i++)
        {
            host[i] = (char)hostName[i];
        }

        foreach (string name in _names)
        {
            var full = name.AsSpan().TrimEnd('.');
            int dot = full.IndexOf('.');
            if (full.Equals(host, StringComparison.OrdinalIgnoreCase) || (dot > 0 && full[..dot].Equals(host, StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }

    private static string Escape(string name)
    {
        var text = new StringBuilder();
        foreach (char c in name.Length > MaxRecordedName ? name[..MaxRecordedName] : name)
        {
            if (c is '"' or '\\' or ']')
            {
                text.Append('\\');
            }

            // Only printable ASCII reaches the line: a certificate's CN is not checked by anyone for that.
            text.Append(c is >= ' ' and <= '~' ? c : '?');
        }

        return text.ToString();
    }
}
