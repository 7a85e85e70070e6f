using System.Net;
using System.Security.Authentication;
using System.Threading.Channels;
using Forwarder.Configuration;
using k8s.Models;
using Polly;

namespace Forwarder.Metadata;

/// <summary>
/// Keeps <see cref="PodMetadataCache"/> up to date from the node's kubelet (<c>GET /pods</c>), as Fluent Bit's
/// <c>Use_Kubelet</c> does: no list or watch of the API server per node, which is what loads it in large clusters.
/// The pods are read every <c>--kubelet-poll</c>, and soon after a file of a pod not known yet starts waiting for its
/// metadata (<see cref="RequestFetch"/>): at most one fetch runs, requests made meanwhile make one more after it, and
/// fetches are at least <see cref="MinimumSpacing"/> apart. Pods missing from a fetch were deleted (kept for the grace
/// period). A failed fetch marks the cache unavailable (lines then go at once, counted) and is retried with exponential
/// backoff and jitter (Polly) up to <c>--max-retry-delay</c>.
/// </summary>
internal sealed class KubeletPodSource : IDisposable
{
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(60);

    private readonly KubeletConnection _connection;
    private readonly PodMetadataCache _cache;
    private readonly PodMetadataReader _reader;
    private readonly MetadataCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _pipeline;
    private readonly TimeSpan _poll;
    private readonly KubeletJobLookup _jobs;
    private readonly WorkloadResolver _workloads;

    // One pending request at most: it stands for all made while a fetch runs (a newer one adds nothing).
    private readonly Channel<bool> _requests =
        Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    // The resourceVersion each pod had at its last fetch: an unchanged pod is not read again (no Job lookup, no new
    // instance for the tailers to notice). Only pods of the last fetch are kept.
    private Dictionary<string, string> _versions = new(StringComparer.Ordinal);
    private KubeletClient? _client;

    public KubeletPodSource(
        KubeletConnection connection,
        KubeConnection? api,
        PodMetadataCache cache,
        ForwarderOptions options,
        MetadataCounters counters,
        TimeProvider time,
        ILogger<KubeletPodSource> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _connection = connection;
        _cache = cache;
        _reader = new PodMetadataReader(options.PodLabels);
        _counters = counters;
        _time = time;
        _logger = logger;
        _poll = options.KubeletPoll;
        _jobs = new KubeletJobLookup(api, time, logger);
        _workloads = new WorkloadResolver(_jobs.ReadJobAsync);
        _pipeline = MetadataRetry.Forever(time, options.MaxRetryDelay, (attempt, error, delay) =>
        {
            _cache.State = MetadataState.Unavailable;
            MetadataLog.KubeletUnavailable(_logger, _connection.Url, attempt, Describe(error), delay);
            _counters.AddError();
        });
    }

    /// <summary>The least time from the end of one fetch to the start of the next one asked for by a new pod.</summary>
    public TimeSpan MinimumSpacing { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A file of a pod not in the cache waits for its metadata: fetch soon (cheap, any thread).</summary>
    public void RequestFetch()
    {
        // False only when a request is already pending, which covers this one.
        _ = _requests.Writer.TryWrite(true);
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (_connection.InsecureTls)
        {
            MetadataLog.KubeletInsecure(_logger, _connection.Url);
        }

        while (true)
        {
            await _pipeline.ExecuteAsync(FetchAsync, cancellationToken).ConfigureAwait(false);
            long fetched = _time.GetTimestamp();
            using var poll = new CancellationTokenSource(_poll, _time);
            using var next = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, poll.Token);
            try
            {
                await _requests.Reader.WaitToReadAsync(next.Token).ConfigureAwait(false);
                var wait = MinimumSpacing - _time.GetElapsedTime(fetched);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The poll interval passed.
            }
        }
    }

    public void Dispose()
    {
        _client?.Dispose();
        _jobs.Dispose();
    }

    private async ValueTask FetchAsync(CancellationToken cancellationToken)
    {
        // Whatever was asked for so far, this fetch answers.
        while (_requests.Reader.TryRead(out _))
        {
        }

        _client ??= KubeletClient.Create(_connection);
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        using var timeout = new CancellationTokenSource(FetchTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        int pods;
        try
        {
            pods = await _client.GetPodsAsync((pod, token) => ApplyAsync(pod, seen, token), linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new KubeApiException($"GET {_connection.Url}: no complete answer within {FetchTimeout.TotalSeconds:0}s");
        }

        _versions = seen;
        _cache.MarkAllDeletedExcept(seen.Keys.ToHashSet(StringComparer.Ordinal));
        _cache.Prune();
        _counters.AddList();
        if (_cache.State != MetadataState.Live)
        {
            MetadataLog.KubeletRead(_logger, pods, _connection.Url, _poll);
        }

        _cache.State = MetadataState.Live;
    }

    /// <summary>Stores one pod unless it is unchanged since the last fetch; notes its uid and version.</summary>
    private async Task ApplyAsync(V1Pod pod, Dictionary<string, string> seen, CancellationToken cancellationToken)
    {
        var meta = pod.Metadata;
        if (meta?.Uid is not { Length: > 0 } uid)
        {
            return;
        }

        // A static pod read from a manifest file has no resourceVersion: it is read every time (there are few).
        string version = meta.ResourceVersion ?? "";
        seen[uid] = version;
        if (version.Length > 0 && _versions.TryGetValue(uid, out string? last) && last == version && _cache.Previous(uid) is not null)
        {
            return;
        }

        string? workload = await _workloads.ResolveAsync(pod, cancellationToken).ConfigureAwait(false);
        if (_reader.Read(pod, workload) is not { } metadata)
        {
            seen.Remove(uid);
            return;
        }

        UnknownAnnotations.LogNew(_logger, metadata, _cache.Previous(metadata.Uid));
        _cache.Put(metadata);
    }

    /// <summary>A reason an operator can act on: which check failed and what to look at.</summary>
    internal static string Describe(Exception e) => e switch
    {
        KubeApiException { Status: HttpStatusCode.Unauthorized } k =>
            "401 Unauthorized: the kubelet refused the token (it needs webhook authentication, --authentication-token-webhook; "
                + $"check --kube-token-file): {k.Message}",
        KubeApiException { Status: HttpStatusCode.Forbidden } k =>
            "403 Forbidden: the service account may not get nodes/proxy (or nodes/pods) "
                + $"(deploy/kubernetes/components/kubelet-metadata): {k.Message}",
        KubeApiException k => k.Message,
        HttpRequestException { InnerException: AuthenticationException tls } =>
            "TLS with the kubelet failed (its serving certificate is often self-signed: give its CA with --kubelet-ca-file, or "
                + $"--kubelet-insecure-tls true): {tls.Message}",
        HttpRequestException h => $"cannot reach the kubelet: {h.Message}{(h.InnerException is { } inner ? " " + inner.Message : "")}",
        IOException io => io.Message,
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}
