using System.Security.Cryptography.X509Certificates;
using Collector.Configuration;

namespace Collector.Ingest.Tls;

/// <summary>
/// Checks a client certificate for the configured <see cref="TlsClientAuth"/> mode. Chains are built against the
/// client CA file only (<see cref="X509ChainTrustMode.CustomRootTrust"/>), never the system store: a certificate any
/// public CA issued must not become a permitted sender. Revocation is not checked (no CRL distribution in a cluster).
/// </summary>
public sealed class TlsClientValidator
{
    private static readonly System.Security.Cryptography.Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    private readonly TlsClientAuth _mode;
    private readonly X509Certificate2Collection _authorities;
    private readonly string[] _patterns;
    private readonly byte[][] _fingerprints;
    private readonly TimeProvider _time;

    public TlsClientValidator(TlsClientAuth mode, X509Certificate2Collection authorities, IReadOnlyList<string> permitted, TimeProvider time)
    {
        _mode = mode;
        _authorities = authorities;
        _time = time;
        _patterns = mode == TlsClientAuth.Name ? [.. permitted] : [];
        _fingerprints = mode == TlsClientAuth.Fingerprint
            ? [.. permitted.Select(p => CertificateFingerprint.TryParse(p, out var f, out _) ? f : [])]
            : [];
    }

    public TlsClientAuth Mode => _mode;

    /// <summary>A client certificate is asked for (and required).</summary>
    public bool RequiresCertificate => _mode != TlsClientAuth.None;

    /// <summary>
    /// Null when <paramref name="certificate"/> passes, else the reason (a metric label) and a sentence for the log.
    /// <paramref name="chain"/> is the chain the handshake built with <see cref="ChainPolicy"/>.
    /// </summary>
    public (string Reason, string Detail)? Check(X509Certificate2? certificate, X509Chain? chain)
    {
        if (_mode == TlsClientAuth.None)
        {
            return null;
        }

        if (certificate is null)
        {
            return (TlsFailure.NoClientCertificate, "the client sent no certificate");
        }

        if (_mode == TlsClientAuth.Fingerprint)
        {
            byte[] fingerprint = CertificateFingerprint.Of(certificate);
            return _fingerprints.Any(f => f.AsSpan().SequenceEqual(fingerprint))
                ? null
                : (TlsFailure.FingerprintNotPermitted, $"fingerprint {CertificateFingerprint.Format(fingerprint)} is not a permitted peer");
        }

        if (Chain(certificate, chain) is { } chainError)
        {
            return chainError;
        }

        if (_mode == TlsClientAuth.Name)
        {
            var names = TlsPeer.NamesOf(certificate).ToList();
            if (!names.Any(n => _patterns.Any(p => PeerNamePattern.Matches(p, n))))
            {
                string shown = names.Count == 0 ? "no SAN DNS name nor CN" : string.Join(", ", names);
                return (TlsFailure.NameNotPermitted, $"certificate names {shown}, none matches a permitted peer");
            }
        }

        return null;
    }

    /// <summary>
    /// The policy the handshake builds the client's chain with (certvalid and name modes; null in the others): built
    /// once by <see cref="System.Net.Security.SslStream"/> with it, with the intermediates the client sent, and judged
    /// by <see cref="Check"/>, instead of once against the system store and again here. A new one per handshake: it
    /// carries the verification time.
    /// </summary>
    public X509ChainPolicy? ChainPolicy()
    {
        if (_mode is not (TlsClientAuth.CertValid or TlsClientAuth.Name))
        {
            return null;
        }

        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            VerificationTime = _time.GetUtcNow().UtcDateTime,
            VerificationTimeIgnored = false,
        };
        policy.CustomTrustStore.AddRange(_authorities);
        policy.ApplicationPolicy.Add(ClientAuthentication);
        return policy;
    }

    /// <summary>Judges the chain the handshake built with <see cref="ChainPolicy"/>.</summary>
    private static (string Reason, string Detail)? Chain(X509Certificate2 certificate, X509Chain? chain)
    {
        if (chain is null)
        {
            return (TlsFailure.Untrusted, $"certificate {certificate.Subject}: no chain was built");
        }

        if (chain.ChainStatus.All(s => s.Status == X509ChainStatusFlags.NoError))
        {
            return null;
        }

        var flags = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
        string detail = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
        string subject = certificate.Subject;
        if ((flags & X509ChainStatusFlags.NotTimeValid) != 0)
        {
            return (TlsFailure.CertificateExpired,
                $"certificate {subject} is outside its validity ({certificate.NotBefore:u} to {certificate.NotAfter:u})");
        }

        if ((flags & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain)) != 0)
        {
            return (TlsFailure.Untrusted, $"certificate {subject} does not chain to --tls-client-ca ({detail})");
        }

        return (TlsFailure.InvalidCertificate, $"certificate {subject} is not valid for a client: {detail}");
    }
}
