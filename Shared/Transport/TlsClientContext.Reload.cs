using System.Security.Cryptography;
using System.Text;

namespace Shared.Transport;

/// <summary>
/// Files reloaded on change. cert-manager renews a certificate in a Secret and the kubelet swaps the mounted files
/// through a symlink; reading the files again before each handshake (cheap next to the handshake, and connects are
/// rare) picks that up without a watcher. A new set that does not load (a key that does not match, a broken PEM, an
/// expired certificate, a file missing) is logged once as an error and the set loaded before stays in use.
/// </summary>
internal sealed partial class TlsClientContext
{
    private readonly Lock _lock = new();
    private TlsMaterial _material;

    // The fingerprint of the last set refused, so the same bad set is reported once, not at every reconnect.
    private byte[]? _refused;

    /// <summary>The client certificate the next handshake sends; null without one.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? ClientCertificate => Current.Certificate;

    private TlsMaterial Current
    {
        get
        {
            lock (_lock)
            {
                return _material;
            }
        }
    }

    /// <summary>
    /// Reads the files again and, when they changed, loads them for the next handshakes. True when a new set was
    /// taken.
    /// </summary>
    public bool Reload()
    {
        TlsFileTexts texts;
        try
        {
            texts = TlsMaterial.Read(_files);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Refuse(Encoding.UTF8.GetBytes(e.Message), e.Message);
            return false;
        }

        byte[] fingerprint = TlsMaterial.FingerprintOf(texts);
        lock (_lock)
        {
            if (fingerprint.AsSpan().SequenceEqual(_material.Fingerprint) || fingerprint.AsSpan().SequenceEqual(_refused))
            {
                return false;
            }
        }

        TlsMaterial loaded;
        try
        {
            loaded = TlsMaterial.Load(texts, _files, _timeProvider.GetUtcNow());
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            // ArgumentException: the key does not match the certificate.
            Refuse(fingerprint, e.Message);
            return false;
        }

        lock (_lock)
        {
            // The old set is left to the finalizers: a connection made with it may still use its certificate.
            _material = loaded;
            _refused = null;
        }

        TransportLog.TlsFilesReloaded(
            _logger,
            _endpoint,
            loaded.Certificate?.Subject ?? "none",
            loaded.Certificate?.NotAfter.ToUniversalTime(),
            loaded.Authorities?.Count ?? 0);
        return true;
    }

    private void Refuse(byte[] fingerprint, string reason)
    {
        lock (_lock)
        {
            if (fingerprint.AsSpan().SequenceEqual(_refused))
            {
                return;
            }

            _refused = fingerprint;
        }

        TransportLog.TlsFilesRefused(_logger, _endpoint, _files.CaFile, _files.CertificateFile, _files.KeyFile, reason);
    }
}
