namespace Collector.Relay.Configuration;

/// <summary>
/// RFC 5425 (syslog over TLS) for a TCP relay, from <c>spec.tls</c>. Files are paths inside the Collector's
/// container (mounted Secrets); null <see cref="CaFile"/> trusts the system store.
/// </summary>
public sealed record RelayTlsSettings(string? CaFile, string? CertificateFile, string? KeyFile, string? ServerName, bool CheckServerName);
