using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace TestSupport;

/// <summary>
/// Certificates the TLS client tests need beyond <see cref="TestCertificates"/>: ones whose validity ended, for the
/// "expired is refused" cases, and PEM file sets written the way a mounted Secret is (ca.crt, tls.crt, tls.key).
/// </summary>
public static class ClientTestCertificates
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    /// <summary>
    /// A server certificate for <see cref="TestCertificates.ServerName"/> and 127.0.0.1 that expired an hour ago.
    /// </summary>
    public static X509Certificate2 CreateExpiredServer(X509Certificate2 issuer) =>
        CreateExpired(issuer, "CN=expired syslog receiver", ServerAuth, server: true);

    /// <summary>A client certificate that expired an hour ago.</summary>
    public static X509Certificate2 CreateExpiredClient(X509Certificate2 issuer, string name = "expired-forwarder") =>
        CreateExpired(issuer, $"CN={name}", ClientAuth, server: false);

    /// <summary>
    /// Writes <c>ca.crt</c>, <c>tls.crt</c> and <c>tls.key</c> into <paramref name="directory"/>, as a Secret of type
    /// kubernetes.io/tls with its CA is mounted; returns their paths.
    /// </summary>
    public static (string Ca, string Certificate, string Key) WriteSecret(
        string directory,
        X509Certificate2 authority,
        X509Certificate2 client)
    {
        Directory.CreateDirectory(directory);
        return (
            TestCertificates.WritePem(Path.Combine(directory, "ca.crt"), authority),
            TestCertificates.WritePem(Path.Combine(directory, "tls.crt"), client),
            TestCertificates.WriteKey(Path.Combine(directory, "tls.key"), client));
    }

    /// <summary>
    /// A TLS server's side for a hand-written receiver: <paramref name="certificate"/>, and when
    /// <paramref name="clientAuthority"/> is given a client certificate issued by it is required.
    /// </summary>
    public static SslServerAuthenticationOptions ServerOptions(X509Certificate2 certificate, X509Certificate2? clientAuthority = null)
    {
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(certificate, null, offline: true),
            ClientCertificateRequired = clientAuthority is not null,
        };
        if (clientAuthority is not null)
        {
            options.CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            options.CertificateChainPolicy.CustomTrustStore.Add(clientAuthority);
            options.RemoteCertificateValidationCallback = (_, _, _, errors) => errors == SslPolicyErrors.None;
        }

        return options;
    }

    private static X509Certificate2 CreateExpired(X509Certificate2 issuer, string subject, Oid usage, bool server)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName(TestCertificates.ServerName);
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }

        // Inside the issuer's window (TestCertificates starts it yesterday), ended an hour ago.
        var now = TimeProvider.System.GetUtcNow();
        var notBefore = issuer.NotBefore.ToUniversalTime().AddMinutes(1);
        var notAfter = now.AddHours(-1);
        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var certificate = request.Create(issuer, notBefore, notAfter, serial);
        return certificate.CopyWithPrivateKey(key);
    }
}
