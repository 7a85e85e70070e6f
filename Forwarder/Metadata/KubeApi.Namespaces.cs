using System.Runtime.CompilerServices;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Forwarder.Metadata;

/// <summary>Namespaces, for --namespace-labels: listed through the client library, watched by hand as pods
/// are.</summary>
internal sealed partial class KubeApi
{
    /// <summary>One page of the cluster's namespaces.</summary>
    public async Task<V1NamespaceList> ListNamespacesAsync(string? continueToken, int limit, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.CoreV1.ListNamespaceAsync(continueParameter: continueToken, limit: limit, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
        }
        catch (HttpOperationException e)
        {
            throw Failed("list namespaces", e);
        }
    }

    /// <summary>Watches the namespaces from <paramref name="resourceVersion"/> with bookmarks, as
    /// <see cref="WatchPodsAsync"/> does pods.</summary>
    public async IAsyncEnumerable<NamespaceEvent> WatchNamespacesAsync(
        string resourceVersion,
        int timeoutSeconds,
        TimeSpan idleTimeout,
        TimeProvider time,
        Action connected,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var uri = new Uri(
            _client.BaseUri,
            $"api/v1/namespaces?watch=true&allowWatchBookmarks=true&resourceVersion={Uri.EscapeDataString(resourceVersion)}"
                + $"&timeoutSeconds={timeoutSeconds}");
        await foreach (var parsed in WatchEventsAsync(
            "watch namespaces", uri, NamespaceEvent.Parse, idleTimeout, time, connected, cancellationToken).ConfigureAwait(false))
        {
            yield return parsed;
        }
    }
}
