using System.Globalization;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Shared.Transport;

/// <summary>
/// The TLS side of a sender, built once from <see cref="SyslogSenderOptions.Tls"/>: the CAs and the client
/// certificate are read from their files here, not at every connect.
/// </summary>
internal sealed class TlsClientContext : IDisposable
{
    private readonly string _targetHost;
    private readonly bool _checkServerName;
    private readonly X509Certificate2Collection? _authorities;
    private readonly X509Certificate2? _clientCertificate;
    private readonly X509Certificate2Collection? _intermediates;
    private readonly SslStreamCertificateContext? _clientCertificateContext;

    private TlsClientContext(SyslogSenderOptions options, SyslogTlsOptions tls)
    {
        _targetHost = Given(tls.ServerName) ?? options.Host;
        _checkServerName = tls.CheckServerName;
        try
        {
            if (Given(tls.CaFile) is { } caFile)
            {
                _authorities = LoadAuthorities(caFile);
            }

            if (Given(tls.CertificateFile) is { } certificateFile && Given(tls.KeyFile) is { } keyFile)
            {
                (_clientCertificate, _intermediates) = LoadClientCertificate(certificateFile, keyFile);
                _clientCertificateContext = SslStreamCertificateContext.Create(_clientCertificate, _intermediates, offline: true);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Null when the options ask for plain TCP.</summary>
    public static TlsClientContext? Create(SyslogSenderOptions options) =>
        options.Tls is { } tls ? new TlsClientContext(options, tls) : null;

    /// <summary>An empty setting (e.g. from an empty environment variable) counts as not set.</summary>
    internal static string? Given(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    internal static X509Certificate2Collection LoadAuthorities(string caFile)
    {
        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPemFile(caFile);
        return authorities;
    }

    /// <summary>The certificate with its key, and the certificates after it in the file, sent as its chain.</summary>
    internal static (X509Certificate2 Certificate, X509Certificate2Collection Intermediates) LoadClientCertificate(
        string certificateFile,
        string keyFile)
    {
        var certificate = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
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
            intermediates.ImportFromPemFile(certificateFile);
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

    /// <summary>
    /// The client handshake over <paramref name="stream"/>, which the returned <see cref="SslStream"/> owns.
    /// A refused certificate becomes an <see cref="IOException"/> naming the reason (chain status or name), so
    /// the sender's retry treats it like any failed connect.
    /// </summary>
    public async ValueTask<SslStream> AuthenticateAsync(
        Stream stream,
        string endpoint,
        TimeSpan timeout,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        string? rejection = null;
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = _targetHost,
            ClientCertificateContext = _clientCertificateContext,
            RemoteCertificateValidationCallback = (_, _, chain, errors) =>
            {
                rejection = Check(chain, errors);
                return rejection is null;
            },
        };
        if (_authorities is not null)
        {
            // Our CAs only, not the system store; private CAs rarely publish revocation lists a pod could reach.
            options.CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            options.CertificateChainPolicy.CustomTrustStore.AddRange(_authorities);
        }

        using var timeoutSource = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        try
        {
            await ssl.AuthenticateAsClientAsync(options, linked.Token).ConfigureAwait(false);
            return ssl;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new TimeoutException($"TLS handshake with {endpoint} took longer than {timeout}.");
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new IOException($"TLS handshake with {endpoint} failed: {rejection ?? Describe(e)}", e);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public void Dispose()
    {
        _clientCertificate?.Dispose();
        DisposeAll(_intermediates);
        DisposeAll(_authorities);
    }

    /// <summary>Null to accept; otherwise what is wrong, in words an operator can act on.</summary>
    private string? Check(X509Chain? chain, SslPolicyErrors errors)
    {
        if (!_checkServerName)
        {
            errors &= ~SslPolicyErrors.RemoteCertificateNameMismatch;
        }

        if (errors == SslPolicyErrors.None)
        {
            return null;
        }

        var reason = new StringBuilder(errors.ToString());
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            reason.Append(CultureInfo.InvariantCulture, $" (the certificate is not issued for '{_targetHost}')");
        }

        if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0 && chain is not null)
        {
            reason.Append(_authorities is null ? " against the system trust store:" : " against Tls:CaFile:");
            foreach (var status in chain.ChainStatus)
            {
                reason.Append(CultureInfo.InvariantCulture, $" {status.Status} ({status.StatusInformation.Trim()})");
            }

            if (chain.ChainElements.Count > 0)
            {
                reason.Append(
                    CultureInfo.InvariantCulture,
                    $"; server certificate '{chain.ChainElements[0].Certificate.Subject}' issued by " +
                    $"'{chain.ChainElements[0].Certificate.Issuer}'");
            }
        }

        return reason.ToString();
    }

    // An IOException from the handshake is usually the peer hanging up (e.g. it refused our certificate); its inner
    // exception has the detail.
    private static string Describe(Exception e) =>
        e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message;

    private static void DisposeAll(X509Certificate2Collection? certificates)
    {
        if (certificates is null)
        {
            return;
        }

        foreach (var certificate in certificates)
        {
            certificate.Dispose();
        }
    }
}
