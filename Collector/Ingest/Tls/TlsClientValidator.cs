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
    /// <paramref name="presented"/> holds what the client sent besides its certificate (intermediates).
    /// </summary>
    public (string Reason, string Detail)? Check(X509Certificate2? certificate, X509Chain? presented)
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

        if (Chain(certificate, presented) is { } chainError)
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

    private (string Reason, string Detail)? Chain(X509Certificate2 certificate, X509Chain? presented)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuthentication);
        chain.ChainPolicy.VerificationTime = _time.GetUtcNow().UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                if (!element.Certificate.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span))
                {
                    chain.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }
        }

        if (chain.Build(certificate))
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
