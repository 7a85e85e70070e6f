namespace Collector.Ingest.Tls;

/// <summary>Why a TLS connection was closed: the <c>reason</c> label of the metrics, one word each.</summary>
public static class TlsFailure
{
    public const string NotTls = "not_tls";
    public const string TlsOnPlainPort = "tls_on_plain_port";
    public const string HandshakeTimeout = "handshake_timeout";
    public const string HandshakeQueueTimeout = "handshake_queue_timeout";
    public const string ClosedInHandshake = "closed_in_handshake";
    public const string Protocol = "protocol";
    public const string NoClientCertificate = "no_client_certificate";
    public const string Untrusted = "untrusted";
    public const string CertificateExpired = "expired";
    public const string InvalidCertificate = "invalid_certificate";
    public const string NameNotPermitted = "name_not_permitted";
    public const string FingerprintNotPermitted = "fingerprint_not_permitted";

    /// <summary>Every reason, so /metrics shows each series from the start (at 0).</summary>
    public static readonly string[] All =
    [
        NotTls, TlsOnPlainPort, HandshakeTimeout, HandshakeQueueTimeout, ClosedInHandshake, Protocol, NoClientCertificate, Untrusted,
        CertificateExpired, InvalidCertificate, NameNotPermitted, FingerprintNotPermitted,
    ];
}
