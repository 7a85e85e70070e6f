namespace Shared.Transport;

/// <summary>
/// TLS for a TCP sender (RFC 5425). Files are PEM and are read once when the sender is created, so renewed
/// certificates are used by the next sender, not by a running one.
/// </summary>
public sealed class SyslogTlsOptions
{
    /// <summary>
    /// A PEM bundle of the CAs to trust, instead of the system trust store; null trusts the system store.
    /// </summary>
    public string? CaFile { get; set; }

    /// <summary>
    /// The client certificate for mutual TLS, PEM; intermediates after the first certificate are sent along.
    /// Set together with <see cref="KeyFile"/>.
    /// </summary>
    public string? CertificateFile { get; set; }

    /// <summary>The unencrypted PEM private key of <see cref="CertificateFile"/>.</summary>
    public string? KeyFile { get; set; }

    /// <summary>
    /// The name the server certificate must carry, also sent as SNI; null uses <see cref="SyslogSenderOptions.Host"/>.
    /// </summary>
    public string? ServerName { get; set; }

    /// <summary>
    /// False accepts a server certificate issued for another name: the chain is still checked against the CAs,
    /// so any certificate those CAs issued is accepted. Callers should warn when it is off.
    /// </summary>
    public bool CheckServerName { get; set; } = true;
}
