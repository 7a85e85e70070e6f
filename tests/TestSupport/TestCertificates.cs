using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace TestSupport;

/// <summary>
/// A throwaway PKI made per test with <see cref="CertificateRequest"/> (ECDSA P-256): CAs, server and client
/// certificates with their keys, and PEM files of them as an operator would mount them.
/// </summary>
public static class TestCertificates
{
    public const string ServerName = "syslog.test";

    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    /// <summary>A root CA, or an intermediate one when <paramref name="issuer"/> is given.</summary>
    public static X509Certificate2 CreateAuthority(string name, X509Certificate2? issuer = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var (notBefore, notAfter) = Validity();
        if (issuer is null)
        {
            return request.CreateSelfSigned(notBefore, notAfter);
        }

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        using var certificate = request.Create(issuer, notBefore, notAfter, SerialNumber());
        return certificate.CopyWithPrivateKey(key);
    }

    /// <summary>
    /// A server certificate for <see cref="ServerName"/> and 127.0.0.1, unless other names are given.
    /// </summary>
    public static X509Certificate2 CreateServer(X509Certificate2 issuer, params string[] dnsNames) =>
        CreateLeaf(
            issuer,
            "CN=syslog receiver",
            ServerAuth,
            dnsNames.Length > 0 ? dnsNames : [ServerName],
            dnsNames.Length > 0 ? [] : [IPAddress.Loopback]);

    public static X509Certificate2 CreateClient(X509Certificate2 issuer, string name = "forwarder") =>
        CreateLeaf(issuer, $"CN={name}", ClientAuth, [], []);

    /// <summary>Writes the certificates, first to last, as one PEM file; returns its path.</summary>
    public static string WritePem(string path, params X509Certificate2[] certificates)
    {
        File.WriteAllText(path, string.Concat(certificates.Select(c => c.ExportCertificatePem() + "\n")));
        return path;
    }

    /// <summary>
    /// Writes the private key of <paramref name="certificate"/> as unencrypted PKCS#8 PEM; returns its path.
    /// </summary>
    public static string WriteKey(string path, X509Certificate2 certificate)
    {
        using var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("The certificate has no ECDSA private key.");
        File.WriteAllText(path, key.ExportPkcs8PrivateKeyPem());
        return path;
    }

    private static X509Certificate2 CreateLeaf(X509Certificate2 issuer, string subject, Oid usage, string[] dnsNames, IPAddress[] addresses)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        if (dnsNames.Length + addresses.Length > 0)
        {
            var names = new SubjectAlternativeNameBuilder();
            foreach (var name in dnsNames)
            {
                names.AddDnsName(name);
            }

            foreach (var address in addresses)
            {
                names.AddIpAddress(address);
            }

            request.CertificateExtensions.Add(names.Build());
        }

        var (notBefore, notAfter) = Validity();
        using var certificate = request.Create(issuer, notBefore, notAfter, SerialNumber());
        return certificate.CopyWithPrivateKey(key);
    }

    // Every certificate gets the same window, so a leaf never outlives its issuer.
    private static (DateTimeOffset NotBefore, DateTimeOffset NotAfter) Validity()
    {
        var today = TimeProvider.System.GetUtcNow().Date;
        return (today.AddDays(-1), today.AddDays(2));
    }

    // RFC 5280 §4.1.2.2: a positive integer, so the top bit stays clear.
    private static byte[] SerialNumber()
    {
        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        return serial;
    }
}
