using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using k8s.Models;

namespace Forwarder.Metadata;

/// <summary>
/// <c>GET /pods</c> on the node's kubelet with the service account's bearer token (re-read when rotated). The kubelet
/// authorizes it with a SubjectAccessReview for <c>nodes/proxy</c> (or <c>nodes/pods</c> where the kubelet has
/// fine-grained authorization, Kubernetes 1.33+). Its serving certificate is checked against <c>--kubelet-ca-file</c>
/// (the certificate's name must match the URL's host), or not at all with <c>--kubelet-insecure-tls</c>.
/// </summary>
internal sealed class KubeletClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly ChangingTokenFile? _token;
    private readonly Uri _url;

    private KubeletClient(HttpClient http, ChangingTokenFile? token, Uri url)
    {
        _http = http;
        _token = token;
        _url = url;
    }

    /// <summary>A CA file that cannot be loaded throws <see cref="KubeApiException"/> naming it.</summary>
    public static KubeletClient Create(KubeletConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var handler = new SocketsHttpHandler
        {
            // The kubelet's answer can be tens of MB on a full node; it is read as a stream, never buffered whole.
            AutomaticDecompression = System.Net.DecompressionMethods.GZip,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        if (connection.InsecureTls)
        {
            // --kubelet-insecure-tls: the operator chose not to check (a warning says so at start).
#pragma warning disable CA5359
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
        }
        else if (connection.CaFile is { } caFile)
        {
            var roots = LoadCa(caFile);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                Trusted(roots, certificate, chain, errors);
        }

        var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        return new KubeletClient(http, connection.TokenFile is { } t ? new ChangingTokenFile(t) : null, connection.Url);
    }

    /// <summary>Reads the node's pods, passing each on as it is read; returns how many there were.</summary>
    public async Task<int> GetPodsAsync(Func<V1Pod, CancellationToken, Task> onPod, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _url);
        request.Headers.Accept.ParseAdd("application/json");
        if (_token is not null)
        {
            request.Headers.Authorization = await _token.GetAuthenticationHeaderAsync(cancellationToken).ConfigureAwait(false);
        }

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new KubeApiException(response.StatusCode, $"GET {_url}: {(int)response.StatusCode} {response.StatusCode}: {Shorten(body)}");
        }

        using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await KubeletPodList.ReadAsync(stream, onPod, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw new KubeApiException($"GET {_url}: the answer is not a PodList: {e.Message}", e);
        }
    }

    public void Dispose() => _http.Dispose();

    private static X509Certificate2Collection LoadCa(string path)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new KubeApiException($"the kubelet's CA file '{path}' cannot be loaded: {e.Message}", e);
        }

        return roots.Count > 0 ? roots : throw new KubeApiException($"the kubelet's CA file '{path}' holds no PEM certificate");
    }

    /// <summary>The name must match as always; the chain must end at one of <paramref name="roots"/>, not the system's
    /// store.</summary>
    private static bool Trusted(X509Certificate2Collection roots, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        using var own = new X509Chain();
        own.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        own.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        own.ChainPolicy.CustomTrustStore.AddRange(roots);
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements)
            {
                own.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return own.Build(leaf);
    }

    private static string Shorten(string text) => text.Length <= 300 ? text.Trim() : text[..300] + "…";
}
