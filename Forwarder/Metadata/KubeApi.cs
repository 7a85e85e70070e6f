using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Forwarder.Metadata;

/// <summary>
/// The requests the Forwarder makes to the API server. Lists and gets go through the official client
/// (KubernetesClient.Aot). Its native-AOT build has no watch support (the library leaves <c>Watcher</c> out of it), so
/// the watch request is written here: the client's own HttpClient and credentials, and one JSON event per line.
/// </summary>
internal sealed partial class KubeApi : IDisposable
{
    private readonly Kubernetes _client;
    private readonly string _fieldSelector;

    private KubeApi(Kubernetes client, string node)
    {
        _client = client;
        _fieldSelector = "spec.nodeName=" + node;
    }

    public Uri Url => _client.BaseUri;

    /// <summary>Builds the client; a CA file that cannot be loaded throws <see cref="KubeApiException"/> naming
    /// it.</summary>
    public static KubeApi Create(KubeConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var config = new KubernetesClientConfiguration
        {
            Host = connection.Url.ToString(),
            TokenProvider = connection.TokenFile is null ? null : new ChangingTokenFile(connection.TokenFile),
        };
        if (connection.CaFile is { } ca && connection.Url.Scheme == "https")
        {
            try
            {
                // The library's CertUtils is internal in its AOT build; the BCL reads a PEM bundle as well.
                var certificates = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
                certificates.ImportFromPemFile(ca);
                config.SslCaCerts = certificates;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                throw new KubeApiException($"the API server's CA file '{ca}' cannot be loaded: {e.Message}", e);
            }

            if (config.SslCaCerts.Count == 0)
            {
                throw new KubeApiException($"the API server's CA file '{ca}' holds no PEM certificate");
            }
        }

        return new KubeApi(new Kubernetes(config), connection.Node);
    }

    /// <summary>One page of this node's pods (<paramref name="continueToken"/> from the previous page).</summary>
    public async Task<V1PodList> ListPodsAsync(string? continueToken, int limit, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.CoreV1.ListPodForAllNamespacesAsync(
                continueParameter: continueToken,
                fieldSelector: _fieldSelector,
                limit: limit,
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e)
        {
            throw Failed("list pods", e);
        }
    }

    /// <summary>The Job, or null when it cannot be read (gone, or no RBAC for jobs): its owner is then
    /// unknown.</summary>
    public async Task<V1Job?> ReadJobAsync(string ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.BatchV1.ReadNamespacedJobAsync(name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// Watches this node's pods from <paramref name="resourceVersion"/> with bookmarks, until the server ends the
    /// stream (after about <paramref name="timeoutSeconds"/>) or nothing, not even a bookmark, came for
    /// <paramref name="idleTimeout"/> (a connection that died without a FIN). <paramref name="connected"/> is called
    /// once the server accepted the watch.
    /// </summary>
    public async IAsyncEnumerable<WatchEvent> WatchPodsAsync(
        string resourceVersion,
        int timeoutSeconds,
        TimeSpan idleTimeout,
        TimeProvider time,
        Action connected,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var uri = new Uri(
            _client.BaseUri,
            $"api/v1/pods?watch=true&allowWatchBookmarks=true&fieldSelector={Uri.EscapeDataString(_fieldSelector)}"
                + $"&resourceVersion={Uri.EscapeDataString(resourceVersion)}&timeoutSeconds={timeoutSeconds}");
        await foreach (var parsed in WatchEventsAsync("watch pods", uri, WatchEvent.Parse, idleTimeout, time, connected, cancellationToken)
            .ConfigureAwait(false))
        {
            yield return parsed;
        }
    }

    /// <summary>The events of a watch stream, each line read with <paramref name="parse"/>; a line that is not JSON
    /// ends the watch with an error naming it.</summary>
    private async IAsyncEnumerable<T> WatchEventsAsync<T>(
        string what,
        Uri uri,
        Func<string, T> parse,
        TimeSpan idleTimeout,
        TimeProvider time,
        Action connected,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (string line in WatchLinesAsync(what, uri, idleTimeout, time, connected, cancellationToken).ConfigureAwait(false))
        {
            T parsed;
            try
            {
                parsed = parse(line);
            }
            catch (JsonException e)
            {
                throw new KubeApiException($"{what}: not a watch event ({e.Message}): {Shorten(line)}", e);
            }

            yield return parsed;
        }
    }

    /// <summary>The lines of a watch stream (empty ones skipped), until the server ends it or nothing came for
    /// <paramref name="idleTimeout"/>.</summary>
    private async IAsyncEnumerable<string> WatchLinesAsync(
        string what,
        Uri uri,
        TimeSpan idleTimeout,
        TimeProvider time,
        Action connected,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var idle = new CancellationTokenSource(idleTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, idle.Token);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        HttpResponseMessage response;
        try
        {
            if (_client.Credentials is { } credentials)
            {
                await credentials.ProcessHttpRequestAsync(request, linked.Token).ConfigureAwait(false);
            }

            response = await _client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new KubeApiException($"{what}: no answer within {idleTimeout.TotalSeconds:0}s");
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                string body = await response.Content.ReadAsStringAsync(linked.Token).ConfigureAwait(false);
                throw new KubeApiException(response.StatusCode, $"{what}: {(int)response.StatusCode} {response.StatusCode}: {Shorten(body)}");
            }

            connected();
            using var stream = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
            using var reader = new StreamReader(stream);
            while (true)
            {
                string? line;
                try
                {
                    line = await reader.ReadLineAsync(linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new KubeApiException($"{what}: nothing received for {idleTimeout.TotalSeconds:0}s");
                }

                if (line is null)
                {
                    yield break;
                }

                idle.CancelAfter(idleTimeout);
                if (line.Length > 0)
                {
                    yield return line;
                }
            }
        }
    }

    public void Dispose() => _client.Dispose();

    private static KubeApiException Failed(string what, HttpOperationException e)
    {
        HttpStatusCode? status = e.Response?.StatusCode;
        string body = e.Response?.Content ?? "";
        return new KubeApiException(status, $"{what}: {(int?)status} {status}: {Shorten(body)}", e);
    }

    private static string Shorten(string text) => text.Length <= 300 ? text.Trim() : text[..300] + "…";
}
