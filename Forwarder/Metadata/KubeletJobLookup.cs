using k8s.Models;

namespace Forwarder.Metadata;

/// <summary>
/// The kubelet source's one use of the API server: reading a pod's Job to name its CronJob, as
/// <see cref="WorkloadResolver"/> asks. The kubelet path is chosen to spare the API server, and a poll reads every pod
/// again, so: a Job found is cached by the resolver; a Job not found (or not readable: no RBAC for jobs) is not asked
/// again for <see cref="Pause"/>; an API server that does not answer within a few seconds is not asked at all for
/// <see cref="Pause"/>. Meanwhile, and without an API server (no KUBERNETES_SERVICE_HOST, no --kube-url), a Job's pods
/// are named <c>Job/NAME</c>.
/// </summary>
internal sealed class KubeletJobLookup(KubeConnection? connection, TimeProvider time, ILogger logger) : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);
    private readonly Dictionary<(string, string), DateTimeOffset> _missing = [];
    private KubeApi? _api;
    private DateTimeOffset _pausedUntil;

    public TimeSpan Pause { get; init; } = TimeSpan.FromMinutes(5);

    public async Task<V1Job?> ReadJobAsync(string ns, string name, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (connection is null || now < _pausedUntil || (_missing.TryGetValue((ns, name), out var until) && now < until))
        {
            return null;
        }

        using var timeout = new CancellationTokenSource(RequestTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            _api ??= KubeApi.Create(connection);
            var job = await _api.ReadJobAsync(ns, name, linked.Token).ConfigureAwait(false);
            if (job is null)
            {
                if (_missing.Count >= 4096)
                {
                    _missing.Clear();
                }

                _missing[(ns, name)] = now + Pause;
            }

            return job;
        }
        catch (Exception e) when (e is HttpRequestException or KubeApiException or IOException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            _pausedUntil = now + Pause;
            MetadataLog.JobLookupPaused(logger, connection.Url, e is OperationCanceledException ? "no answer within 5s" : e.Message, Pause);
            return null;
        }
    }

    public void Dispose() => _api?.Dispose();
}
