using System.Net;
using System.Security.Authentication;
using Forwarder.Configuration;
using k8s.Models;
using Polly;

namespace Forwarder.Metadata;

/// <summary>
/// Keeps <see cref="PodMetadataCache"/> up to date with the pods of this node, as client-go's reflector does: list
/// (in pages, <c>fieldSelector=spec.nodeName=NODE</c>), then watch from the list's resourceVersion with bookmarks; when
/// the stream ends, watch again from the last version seen; on 410 Gone, list again. Failures (refused, TLS, 401, 403,
/// a dropped stream) mark the cache unavailable and are retried with exponential backoff and jitter (Polly); a session
/// that had run for a while starts its backoff over.
/// </summary>
internal sealed class ApiServerPodSource
{
    private const int PageSize = 500;
    private static readonly TimeSpan ListTimeout = TimeSpan.FromSeconds(60);

    private readonly KubeConnection _connection;
    private readonly PodMetadataCache _cache;
    private readonly PodMetadataReader _reader;
    private readonly MetadataCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _pipeline;
    private readonly TimeSpan _stableAfter;
    private KubeApi? _api;

    // The last resourceVersion seen: a new watch resumes from it; null until the first list, and after 410 Gone.
    private string? _version;
    private WorkloadResolver? _workloads;

    public ApiServerPodSource(
        KubeConnection connection,
        PodMetadataCache cache,
        ForwarderOptions options,
        MetadataCounters counters,
        TimeProvider time,
        ILogger<ApiServerPodSource> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _connection = connection;
        _cache = cache;
        _reader = new PodMetadataReader(options.PodLabels);
        _counters = counters;
        _time = time;
        _logger = logger;
        _stableAfter = options.MaxRetryDelay;
        _pipeline = MetadataRetry.Forever(time, options.MaxRetryDelay, (attempt, error, delay) =>
        {
            _cache.State = MetadataState.Unavailable;
            MetadataLog.Unavailable(_logger, _connection.Url, attempt, Describe(error), delay);
            _counters.AddError();
        });
    }

    /// <summary>Seconds the server is asked to keep a watch open (client-go picks 5-10 minutes at random).</summary>
    public int WatchTimeoutSeconds { get; init; } = 300;

    /// <summary>A watch silent for this long (not even a bookmark, which servers send about every minute) is
    /// dead.</summary>
    public TimeSpan WatchIdleTimeout { get; init; } = TimeSpan.FromSeconds(330);

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

    /// <summary>
    /// Watch from the last version seen (list first when there is none, or on 410 Gone) until something fails. Returns
    /// (and the backoff starts over) only when a session that had been live for a while failed; an early failure
    /// throws for the retry pipeline. A watch that ends, or whose connection drops after it delivered, is simply
    /// made again from the last version, without a list: lists of every node's pods are what overloads API servers.
    /// </summary>
    private async ValueTask SessionAsync(CancellationToken cancellationToken)
    {
        long started = _time.GetTimestamp();
        try
        {
            _api ??= KubeApi.Create(_connection);
            _workloads ??= new WorkloadResolver(_api.ReadJobAsync);
            bool listed = false;
            if (_version is null)
            {
                _version = await ListAsync(cancellationToken).ConfigureAwait(false);
                listed = true;
            }

            while (true)
            {
                var (next, events) = await WatchAsync(_version, cancellationToken).ConfigureAwait(false);
                if (next is null)
                {
                    if (listed && events <= 1)
                    {
                        // Gone from the version a list just gave: listing again at once would loop.
                        throw new KubeApiException(HttpStatusCode.Gone, $"watch pods: 410 Gone for the version {_version} a list had just returned");
                    }

                    MetadataLog.Gone(_logger, _version);
                    _counters.AddRelistGone();
                    _version = null;
                    _version = await ListAsync(cancellationToken).ConfigureAwait(false);
                    listed = true;
                    continue;
                }

                listed = listed && events == 0;
                _version = next;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException
            && _time.GetElapsedTime(started) >= _stableAfter
            && _cache.State == MetadataState.Live)
        {
            _cache.State = MetadataState.Unavailable;
            MetadataLog.SessionEnded(_logger, _connection.Url, Describe(e));
            _counters.AddError();
        }
    }

    /// <summary>Lists every page; returns the list's resourceVersion.</summary>
    private async Task<string> ListAsync(CancellationToken cancellationToken)
    {
        var listed = new HashSet<string>(StringComparer.Ordinal);
        string? continueToken = null;
        string? version = null;
        using var timeout = new CancellationTokenSource(ListTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        while (true)
        {
            V1PodList page;
            try
            {
                page = await _api!.ListPodsAsync(continueToken, PageSize, linked.Token).ConfigureAwait(false);
            }
            catch (KubeApiException e) when (e.IsGone && continueToken is not null)
            {
                // The continue token expired between pages: the list starts over.
                continueToken = null;
                listed.Clear();
                continue;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new KubeApiException($"list pods: no answer within {ListTimeout.TotalSeconds:0}s");
            }

            foreach (var pod in page.Items ?? [])
            {
                if (await ApplyAsync(pod, deleted: false, cancellationToken).ConfigureAwait(false) is { } uid)
                {
                    listed.Add(uid);
                }
            }

            version = page.Metadata?.ResourceVersion;
            continueToken = page.Metadata?.ContinueProperty;
            if (string.IsNullOrEmpty(continueToken))
            {
                break;
            }
        }

        _cache.MarkAllDeletedExcept(listed);
        _cache.Prune();
        _counters.AddList();
        if (_cache.State != MetadataState.Live)
        {
            MetadataLog.Listed(_logger, listed.Count, _connection.Node, _connection.Url);
        }

        _cache.State = MetadataState.Live;
        return version is { Length: > 0 } ? version : throw new KubeApiException("list pods: the answer has no metadata.resourceVersion");
    }

    /// <summary>
    /// Applies events until the stream ends; returns the last resourceVersion seen (null on 410 Gone) and the number of
    /// events. A stream that broke after it delivered or had run for a second counts as ended; one that failed at once
    /// throws (and is retried with backoff).
    /// </summary>
    private async Task<(string? Version, int Events)> WatchAsync(string version, CancellationToken cancellationToken)
    {
        long started = _time.GetTimestamp();
        int events = 0;
        bool connected = false;
        try
        {
            var stream = _api!.WatchPodsAsync(version, WatchTimeoutSeconds, WatchIdleTimeout, _time, () =>
            {
                connected = true;
                _cache.State = MetadataState.Live;
            }, cancellationToken);
            await foreach (var e in stream.ConfigureAwait(false))
            {
                events++;
                _counters.AddWatchEvent();
                switch (e.Type)
                {
                    case WatchEvent.Error when e.Code == (int)HttpStatusCode.Gone:
                        return (null, events);
                    case WatchEvent.Error:
                        throw new KubeApiException((HttpStatusCode)e.Code, $"watch pods: ERROR event {e.Code}: {e.Message}");
                    case WatchEvent.Bookmark:
                        _cache.Prune();
                        break;
                    case WatchEvent.Added or WatchEvent.Modified or WatchEvent.Deleted when e.Pod is not null:
                        await ApplyAsync(e.Pod, e.Type == WatchEvent.Deleted, cancellationToken).ConfigureAwait(false);
                        break;
                    default:
                        break;
                }

                version = e.Pod?.Metadata?.ResourceVersion is { Length: > 0 } v ? v : version;
            }
        }
        catch (KubeApiException e) when (e.IsGone)
        {
            return (null, events);
        }
        catch (Exception e) when (e is IOException or HttpRequestException
            && connected
            && (events > 0 || _time.GetElapsedTime(started) >= TimeSpan.FromSeconds(1)))
        {
            // The connection dropped (a load balancer's idle timeout, an API server restarting): watch again.
            return (version, events);
        }

        // A server that ends every watch at once would otherwise be asked again in a tight loop.
        if (events == 0 && _time.GetElapsedTime(started) < TimeSpan.FromSeconds(1))
        {
            throw new KubeApiException("watch pods: the stream ended at once without an event");
        }

        return (version, events);
    }

    /// <summary>Stores one pod; returns its uid, or null when the object lacks its identity.</summary>
    private async Task<string?> ApplyAsync(V1Pod pod, bool deleted, CancellationToken cancellationToken)
    {
        string? workload = await _workloads!.ResolveAsync(pod, cancellationToken).ConfigureAwait(false);
        if (_reader.Read(pod, workload) is not { } metadata)
        {
            return null;
        }

        UnknownAnnotations.LogNew(_logger, metadata, _cache.Previous(metadata.Uid));

        if (deleted)
        {
            _cache.MarkDeleted(metadata);
        }
        else
        {
            _cache.Put(metadata);
        }

        return metadata.Uid;
    }

    /// <summary>A reason an operator can act on: which check failed and what to look at.</summary>
    internal static string Describe(Exception e) => e switch
    {
        KubeApiException { Status: HttpStatusCode.Unauthorized } k =>
            $"401 Unauthorized: the API server refused the token (check --kube-token-file or the service account token): {k.Message}",
        KubeApiException { Status: HttpStatusCode.Forbidden } k =>
            $"403 Forbidden: the service account may not list and watch pods (deploy/kubernetes/forwarder-rbac.yaml): {k.Message}",
        KubeApiException k => k.Message,
        HttpRequestException { InnerException: AuthenticationException tls } =>
            $"TLS with the API server failed (check --kube-ca-file): {tls.Message}",
        HttpRequestException h => $"cannot reach the API server: {h.Message}{(h.InnerException is { } inner ? " " + inner.Message : "")}",
        IOException io => io.Message,
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}
