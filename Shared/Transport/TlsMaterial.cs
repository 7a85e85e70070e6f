using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Shared.Transport;

/// <summary>
/// One consistent set of a sender's TLS files, loaded from the text read once, so <see cref="Fingerprint"/> names
/// exactly what was loaded: the CAs to trust and the client certificate with its key and intermediates.
/// </summary>
internal sealed class TlsMaterial : IDisposable
{
    private TlsMaterial(
        byte[] fingerprint,
        X509Certificate2Collection? authorities,
        X509Certificate2? certificate,
        X509Certificate2Collection? intermediates)
    {
        Fingerprint = fingerprint;
        Authorities = authorities;
        Certificate = certificate;
        Intermediates = intermediates;
        CertificateContext = certificate is null ? null : SslStreamCertificateContext.Create(certificate, intermediates, offline: true);
    }

    /// <summary>SHA-256 over the files' text: equal fingerprints, equal material.</summary>
    public byte[] Fingerprint { get; }

    public X509Certificate2Collection? Authorities { get; }

    public X509Certificate2? Certificate { get; }

    public X509Certificate2Collection? Intermediates { get; }

    public SslStreamCertificateContext? CertificateContext { get; }

    /// <summary>The files' text, read now (through symlinks, as a mounted Secret swaps them).</summary>
    public static TlsFileTexts Read(SyslogTlsOptions tls) => new(
        Given(tls.CaFile) is { } ca ? File.ReadAllText(ca) : null,
        Given(tls.CertificateFile) is { } certificate ? File.ReadAllText(certificate) : null,
        Given(tls.KeyFile) is { } key ? File.ReadAllText(key) : null);

    public static byte[] FingerprintOf(TlsFileTexts texts)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (string? text in (string?[])[texts.Ca, texts.Certificate, texts.Key])
        {
            // Lengths first, so moving text from one file to the next changes the fingerprint.
            byte[] bytes = Encoding.UTF8.GetBytes(text ?? string.Empty);
            hash.AppendData(BitConverter.GetBytes(text is null ? -1 : bytes.Length));
            hash.AppendData(bytes);
        }

        return hash.GetHashAndReset();
    }

    /// <summary>
    /// Loads the set, or throws <see cref="CryptographicException"/> or <see cref="ArgumentException"/> (a key that
    /// does not match the certificate). A client certificate outside its validity at <paramref name="now"/> is
    /// refused too: every server would refuse it.
    /// </summary>
    public static TlsMaterial Load(TlsFileTexts texts, SyslogTlsOptions tls, DateTimeOffset now)
    {
        X509Certificate2Collection? authorities = null;
        X509Certificate2? certificate = null;
        X509Certificate2Collection? intermediates = null;
        try
        {
            if (texts.Ca is { } ca)
            {
                authorities = new X509Certificate2Collection();
                authorities.ImportFromPem(ca);
                if (authorities.Count == 0)
                {
                    throw new CryptographicException("it contains no PEM certificate");
                }
            }

            if (texts.Certificate is { } certificateText && texts.Key is { } keyText)
            {
                (certificate, intermediates) = LoadClientCertificate(certificateText, keyText);
                if (now < certificate.NotBefore || now > certificate.NotAfter)
                {
                    throw new CryptographicException(string.Create(
                        CultureInfo.InvariantCulture,
                        $"the client certificate '{certificate.Subject}' in '{tls.CertificateFile}' is valid from " +
                        $"{certificate.NotBefore.ToUniversalTime():u} to {certificate.NotAfter.ToUniversalTime():u}, not now"));
                }
            }

            return new TlsMaterial(FingerprintOf(texts), authorities, certificate, intermediates);
        }
        catch
        {
            certificate?.Dispose();
            DisposeAll(intermediates);
            DisposeAll(authorities);
            throw;
        }
    }

    /// <summary>An empty setting (e.g. from an empty environment variable) counts as not set.</summary>
    public static string? Given(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    public void Dispose()
    {
        Certificate?.Dispose();
        DisposeAll(Intermediates);
        DisposeAll(Authorities);
    }

    /// <summary>The certificate with its key, and the certificates after it in the file, sent as its chain.</summary>
    private static (X509Certificate2 Certificate, X509Certificate2Collection Intermediates) LoadClientCertificate(
        string certificatePem,
        string keyPem)
    {
        var certificate = X509Certificate2.CreateFromPem(certificatePem, keyPem);
        if (OperatingSystem.IsWindows())
        {
            // SChannel cannot use the ephemeral key of a PEM-loaded certificate; a PKCS#12 round trip persists it.
            // https://github.com/dotnet/runtime/issues/23749
            using var ephemeral = certificate;
            certificate = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), password: null);
        }

        try
        {
            var intermediates = new X509Certificate2Collection();
            intermediates.ImportFromPem(certificatePem);
            intermediates[0].Dispose();
            intermediates.RemoveAt(0);
            return (certificate, intermediates);
        }
        catch
        {
            certificate.Dispose();
            throw;
        }
    }

    private static void DisposeAll(X509Certificate2Collection? certificates)
    {
        foreach (var certificate in certificates ?? [])
        {
            certificate.Dispose();
        }
    }
}
