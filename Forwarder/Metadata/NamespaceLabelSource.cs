using System.Net;
using Forwarder.Configuration;
using k8s.Models;
using Polly;

namespace Forwarder.Metadata;

/// <summary>
/// Keeps the allowlisted labels of every namespace (<c>--namespace-labels</c>) in <see cref="PodMetadataCache"/>: list
/// (cluster-wide: namespaces are few, and no per-node selector exists for them), then watch with bookmarks from the
/// list's resourceVersion; a watch that ends is made again from the last version, 410 Gone lists again. Failures are
/// retried with exponential backoff and jitter (Polly); meanwhile pods keep the namespace labels last seen.
/// </summary>
internal sealed class NamespaceLabelSource
{
    private const int PageSize = 500;

    private readonly KubeConnection _connection;
    private readonly PodMetadataCache _cache;
    private readonly IReadOnlyList<string> _keys;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _pipeline;
    private KubeApi? _api;
    private string? _version;
    private bool _live;

    public NamespaceLabelSource(
        KubeConnection connection,
        PodMetadataCache cache,
        ForwarderOptions options,
        TimeProvider time,
        ILogger<NamespaceLabelSource> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _connection = connection;
        _cache = cache;
        _keys = options.NamespaceLabels;
        _time = time;
        _logger = logger;
        _pipeline = MetadataRetry.Forever(time, options.MaxRetryDelay, (attempt, error, delay) =>
        {
            _live = false;
            MetadataLog.NamespacesUnavailable(_logger, _connection.Url, attempt, Describe(error), delay);
        });
    }

    public int WatchTimeoutSeconds { get; init; } = 300;

    public TimeSpan WatchIdleTimeout { get; init; } = TimeSpan.FromSeconds(330);

    /// <summary>Listed and watching.</summary>
    public bool Live => _live;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await _pipeline.ExecuteAsync(SessionAsync, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _api?.Dispose();
        }
    }

    /// <summary>The labels of <paramref name="ns"/> that are in the allowlist, in its order.</summary>
    public static List<KeyValuePair<string, string>> Allowed(V1Namespace ns, IReadOnlyList<string> keys)
    {
        ArgumentNullException.ThrowIfNull(ns);
        ArgumentNullException.ThrowIfNull(keys);
        var labels = new List<KeyValuePair<string, string>>(keys.Count);
        if (ns.Metadata?.Labels is { } all)
        {
            foreach (string key in keys)
            {
                if (all.TryGetValue(key, out string? value) && value is not null)
                {
                    labels.Add(new(key, value));
                }
            }
        }

        return labels;
    }

    private async ValueTask SessionAsync(CancellationToken cancellationToken)
    {
        _api ??= KubeApi.Create(_connection);
        bool listed = false;
        if (_version is null)
        {
            _version = await ListAsync(cancellationToken).ConfigureAwait(false);
            listed = true;
        }

        while (true)
        {
            long started = _time.GetTimestamp();
            int events = 0;
            bool connected = false;
            string? next = _version;
            try
            {
                var stream = _api.WatchNamespacesAsync(
                    _version, WatchTimeoutSeconds, WatchIdleTimeout, _time, () => connected = true, cancellationToken);
                await foreach (var e in stream.ConfigureAwait(false))
                {
                    events++;
                    if (e.Type == WatchEvent.Error && e.Code == (int)HttpStatusCode.Gone)
                    {
                        next = null;
                        break;
                    }

                    if (e.Type == WatchEvent.Error)
                    {
                        throw new KubeApiException((HttpStatusCode)e.Code, $"watch namespaces: ERROR event {e.Code}: {e.Message}");
                    }

                    Apply(e);
                    next = e.Namespace?.Metadata?.ResourceVersion is { Length: > 0 } v ? v : next;
                }
            }
            catch (KubeApiException e) when (e.IsGone)
            {
                next = null;
            }
            catch (Exception e) when (e is IOException or HttpRequestException && connected
                && (events > 0 || _time.GetElapsedTime(started) >= TimeSpan.FromSeconds(1)))
            {
                // Dropped after it delivered: watch again from the last version.
            }

            if (next is null)
            {
                if (listed && events <= 1)
                {
                    throw new KubeApiException(
                        HttpStatusCode.Gone, $"watch namespaces: 410 Gone for the version {_version} a list had just returned");
                }

                _version = await ListAsync(cancellationToken).ConfigureAwait(false);
                listed = true;
                continue;
            }

            if (events == 0 && _time.GetElapsedTime(started) < TimeSpan.FromSeconds(1))
            {
                throw new KubeApiException("watch namespaces: the stream ended at once without an event");
            }

            listed = listed && events == 0;
            _version = next;
        }
    }

    private async Task<string> ListAsync(CancellationToken cancellationToken)
    {
        var listed = new HashSet<string>(StringComparer.Ordinal);
        string? continueToken = null;
        string? version;
        while (true)
        {
            V1NamespaceList page;
            try
            {
                page = await _api!.ListNamespacesAsync(continueToken, PageSize, cancellationToken).ConfigureAwait(false);
            }
            catch (KubeApiException e) when (e.IsGone && continueToken is not null)
            {
                continueToken = null;
                listed.Clear();
                continue;
            }

            foreach (var ns in page.Items ?? [])
            {
                if (ns.Metadata?.Name is { Length: > 0 } name)
                {
                    _cache.SetNamespaceLabels(name, Allowed(ns, _keys));
                    listed.Add(name);
                }
            }

            version = page.Metadata?.ResourceVersion;
            continueToken = page.Metadata?.ContinueProperty;
            if (string.IsNullOrEmpty(continueToken))
            {
                break;
            }
        }

        _cache.KeepOnlyNamespaces(listed);
        if (!_live)
        {
            MetadataLog.NamespacesListed(_logger, listed.Count, _connection.Url);
        }

        _live = true;
        return version is { Length: > 0 } ? version : throw new KubeApiException("list namespaces: the answer has no metadata.resourceVersion");
    }

    private void Apply(NamespaceEvent e)
    {
        if (e.Namespace?.Metadata?.Name is not { Length: > 0 } name)
        {
            return;
        }

        switch (e.Type)
        {
            case WatchEvent.Added or WatchEvent.Modified:
                _cache.SetNamespaceLabels(name, Allowed(e.Namespace, _keys));
                break;
            case WatchEvent.Deleted:
                _cache.RemoveNamespace(name);
                break;
            default:
                break;
        }
    }

    private static string Describe(Exception e) => e switch
    {
        KubeApiException { Status: HttpStatusCode.Forbidden } k =>
            "403 Forbidden: the service account may not list and watch namespaces "
                + $"(deploy/kubernetes/components/namespace-labels): {k.Message}",
        _ => ApiServerPodSource.Describe(e),
    };
}
