namespace Shared.Transport;

/// <summary>
/// How a program calls the settings of <see cref="SyslogTlsOptions"/>, so a validation message names the key the
/// operator wrote (<c>Forwarder:TlsCert</c>, <c>spec.tls.cert</c>) instead of the property.
/// </summary>
public sealed record SyslogTlsKeyNames(string Ca, string Certificate, string Key, string ServerName)
{
    /// <summary>The property names under <c>Tls:</c>, for <see cref="SyslogSenderOptions"/> as a whole.</summary>
    public static SyslogTlsKeyNames Options { get; } = new("Tls:CaFile", "Tls:CertificateFile", "Tls:KeyFile", "Tls:ServerName");
}
