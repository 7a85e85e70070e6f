using System.Globalization;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Shared.Transport;

/// <summary>
/// The TLS side of a sender, from <see cref="SyslogSenderOptions.Tls"/>. Before each handshake the CA, certificate and
/// key files are read again (see <see cref="Reload"/>), so a certificate rotated in a mounted Secret is used from the
/// next connection on; open connections keep theirs.
/// </summary>
internal sealed partial class TlsClientContext : IDisposable
{
    private readonly SyslogTlsOptions _files;
    private readonly string _targetHost;
    private readonly bool _checkServerName;
    private readonly string _endpoint;
    private readonly string _address;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;

    private TlsClientContext(SyslogSenderOptions options, SyslogTlsOptions tls, string endpoint, ILogger logger, TimeProvider timeProvider)
    {
        _files = tls;
        _targetHost = Given(tls.ServerName) ?? options.Host;
        _checkServerName = tls.CheckServerName;
        _endpoint = endpoint;
        _address = $"{options.Host}:{options.Port}";
        _logger = logger;
        _timeProvider = timeProvider;
        _material = TlsMaterial.Load(TlsMaterial.Read(tls), tls, timeProvider.GetUtcNow());
    }

    /// <summary>Null when the options ask for plain TCP; throws when the files do not load.</summary>
    public static TlsClientContext? Create(SyslogSenderOptions options, string endpoint, ILogger logger, TimeProvider timeProvider) =>
        options.Tls is { } tls ? new TlsClientContext(options, tls, endpoint, logger, timeProvider) : null;

    /// <summary>An empty setting (e.g. from an empty environment variable) counts as not set.</summary>
    internal static string? Given(string? value) => TlsMaterial.Given(value);

    /// <summary>
    /// The client handshake over <paramref name="stream"/>, which the returned <see cref="SslStream"/> owns, with the
    /// files as they are now. A refused certificate becomes an <see cref="IOException"/> naming the reason (chain
    /// status or name), so the sender's retry treats it like any failed connect.
    /// </summary>
    public async ValueTask<SslStream> AuthenticateAsync(Stream stream, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Reload();
        var material = Current;
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        string? rejection = null;
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = _targetHost,
            ClientCertificateContext = material.CertificateContext,
            RemoteCertificateValidationCallback = (_, _, chain, errors) =>
            {
                rejection = Check(chain, errors, material.Authorities is not null);
                return rejection is null;
            },
        };
        if (material.Authorities is { } authorities)
        {
            // Our CAs only, not the system store; private CAs rarely publish revocation lists a pod could reach.
            options.CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            options.CertificateChainPolicy.CustomTrustStore.AddRange(authorities);
        }

        using var timeoutSource = new CancellationTokenSource(timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        try
        {
            await ssl.AuthenticateAsClientAsync(options, linked.Token).ConfigureAwait(false);
            return ssl;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new TimeoutException($"TLS handshake with {_address} took longer than {timeout}.");
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new IOException($"TLS handshake with {_address} failed: {rejection ?? Describe(e)}", e);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public void Dispose() => Current.Dispose();

    /// <summary>Null to accept; otherwise what is wrong, in words an operator can act on.</summary>
    private string? Check(X509Chain? chain, SslPolicyErrors errors, bool ownAuthorities)
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
            reason.Append(ownAuthorities ? $" against the CA file '{_files.CaFile}':" : " against the system trust store:");
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
}
