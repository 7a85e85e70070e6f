using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Collector.Ingest.Tls;

/// <summary>
/// SHA-256 fingerprints of certificates (of the DER bytes) in the form rsyslog prints and takes for
/// <c>PermittedPeer</c> with <c>x509/fingerprint</c>: <c>SHA256:AA:BB:…</c>. Also taken: lower case, no prefix, no
/// colons (as <c>openssl x509 -fingerprint -sha256</c> or <c>sha256sum</c> print it).
/// </summary>
public static class CertificateFingerprint
{
    public static byte[] Of(X509Certificate2 certificate) => SHA256.HashData(certificate.RawDataMemory.Span);

    public static string Format(ReadOnlySpan<byte> fingerprint) => "SHA256:" + Convert.ToHexString(fingerprint).Chunk(2)
        .Select(pair => new string(pair)).Aggregate((a, b) => a + ":" + b);

    /// <summary>Parses a fingerprint, or says why it is not one.</summary>
    public static bool TryParse(string text, out byte[] fingerprint, out string? why)
    {
        fingerprint = [];
        string hex = text.Trim();
        int colon = hex.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && hex[..colon].StartsWith("SHA", StringComparison.OrdinalIgnoreCase))
        {
            string algorithm = hex[..colon].Replace("-", "", StringComparison.Ordinal);
            if (!algorithm.Equals("SHA256", StringComparison.OrdinalIgnoreCase))
            {
                why = $"must be a SHA-256 fingerprint (SHA256:AA:BB:...), not {hex[..colon]}";
                return false;
            }

            hex = hex[(colon + 1)..];
        }

        hex = hex.Replace(":", "", StringComparison.Ordinal);
        if (hex.Length != 64 || !hex.All(char.IsAsciiHexDigit))
        {
            why = "must be a SHA-256 fingerprint: SHA256: and 32 hex bytes, colons optional";
            return false;
        }

        fingerprint = Convert.FromHexString(hex);
        why = null;
        return true;
    }
}
