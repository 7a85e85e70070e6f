using System.Security.Cryptography;

namespace Shared.Transport;

public static partial class SyslogSenderOptionsValidator
{
    // The files are loaded here exactly as the sender will load them, so a bad file stops startup instead of
    // failing every handshake later.
    private static void ValidateTls(SyslogTlsOptions tls, SyslogTransportProtocol protocol, Action<string> fail)
    {
        if (protocol == SyslogTransportProtocol.Relp)
        {
            fail("Tls is not supported with Protocol Relp yet (RELP over TLS is a later addition); use Protocol Tcp for TLS (RFC 5425)");
        }
        else if (protocol != SyslogTransportProtocol.Tcp)
        {
            fail($"Tls requires Protocol Tcp, was {protocol}");
        }

        var serverName = TlsClientContext.Given(tls.ServerName);
        if (serverName is not null && Uri.CheckHostName(serverName) == UriHostNameType.Unknown)
        {
            fail($"Tls:ServerName must be a DNS name or an IP address, was '{tls.ServerName}'");
        }

        var caFile = TlsClientContext.Given(tls.CaFile);
        if (caFile is not null && CheckReadable("Tls:CaFile", caFile, fail))
        {
            try
            {
                var authorities = TlsClientContext.LoadAuthorities(caFile);
                DisposeAll(authorities);
                if (authorities.Count == 0)
                {
                    fail($"Tls:CaFile '{caFile}' contains no PEM certificate");
                }
            }
            catch (CryptographicException e)
            {
                fail($"Tls:CaFile '{caFile}' is not a PEM certificate bundle: {e.Message}");
            }
        }

        var certificateFile = TlsClientContext.Given(tls.CertificateFile);
        var keyFile = TlsClientContext.Given(tls.KeyFile);
        if (certificateFile is null && keyFile is not null)
        {
            fail($"Tls:CertificateFile must be set with Tls:KeyFile '{keyFile}'");
        }
        else if (certificateFile is not null && keyFile is null)
        {
            fail($"Tls:KeyFile must be set with Tls:CertificateFile '{certificateFile}'");
        }
        else if (certificateFile is not null && keyFile is not null
            && CheckReadable("Tls:CertificateFile", certificateFile, fail) & CheckReadable("Tls:KeyFile", keyFile, fail))
        {
            try
            {
                var (certificate, intermediates) = TlsClientContext.LoadClientCertificate(certificateFile, keyFile);
                certificate.Dispose();
                DisposeAll(intermediates);
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
                // ArgumentException: the key does not match the certificate.
                fail($"Tls:CertificateFile '{certificateFile}' with Tls:KeyFile '{keyFile}' cannot be loaded: {e.Message}");
            }
        }
    }

    private static bool CheckReadable(string key, string path, Action<string> fail)
    {
        if (!File.Exists(path))
        {
            fail($"{key} '{path}' does not exist");
            return false;
        }

        try
        {
            using var stream = File.OpenRead(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            fail($"{key} '{path}' cannot be read: {e.Message}");
            return false;
        }
    }

    private static void DisposeAll(IEnumerable<IDisposable> items)
    {
        foreach (var item in items)
        {
            item.Dispose();
        }
    }
}
