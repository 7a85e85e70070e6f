using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using TestSupport;

namespace Collector.Tests.Api.Https;

/// <summary>
/// An HttpClient for the <c>--https</c> endpoint that trusts only the CA file it is given (never the system store)
/// and checks the server name <see cref="OpensslPki.ServerName"/>, as a client inside the cluster would check the
/// Service name. Every client opens its own connection, so each sees the pair the Collector serves at that moment.
/// </summary>
internal sealed class HttpsTestClient : IDisposable
{
    private readonly HttpClient _http;

    public HttpsTestClient(IPEndPoint endPoint, string trusted, string? token = null)
    {
        var handler = new SocketsHttpHandler
        {
            // The URL names the certificate's DNS name; the socket goes to the loopback port.
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(endPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    RevocationMode = X509RevocationMode.NoCheck,
                    CustomTrustStore = { X509Certificate2.CreateFromPem(File.ReadAllText(trusted)) },
                },
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    ServerCertificate = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                    return errors == SslPolicyErrors.None;
                },
            },
        };
        _http = new HttpClient(handler) { BaseAddress = new Uri($"https://{OpensslPki.ServerName}:{endPoint.Port}/") };
        if (token is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        }
    }

    /// <summary>The certificate the server presented in the last handshake.</summary>
    public X509Certificate2? ServerCertificate { get; private set; }

    public HttpClient Http => _http;

    public async Task<HttpStatusCode> StatusAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        return response.StatusCode;
    }

    public void Dispose() => _http.Dispose();
}
