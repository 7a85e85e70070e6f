namespace Collector.Configuration;

/// <summary>
/// How the TLS listeners check clients, in the words rsyslog (<c>StreamDriverAuthMode</c>) and syslog-ng
/// (<c>peer-verify</c>) operators know.
/// </summary>
public enum TlsClientAuth
{
    /// <summary>Encryption only: no client certificate is asked for (rsyslog <c>anon</c>).</summary>
    None,

    /// <summary>A client certificate that chains to <c>--tls-client-ca</c> (rsyslog <c>x509/certvalid</c>).</summary>
    CertValid,

    /// <summary>
    /// CertValid, and the certificate's SAN DNS names (CN without any) match a permitted peer pattern (rsyslog
    /// <c>x509/name</c>, RFC 5425 §5.2 wildcards).
    /// </summary>
    Name,

    /// <summary>
    /// The certificate's SHA-256 fingerprint is one of the permitted peers (rsyslog <c>x509/fingerprint</c>); no CA
    /// needed, so self-signed client certificates work.
    /// </summary>
    Fingerprint,
}
