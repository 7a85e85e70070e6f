using Forwarder.Configuration;
using Forwarder.Enrichment;
using Forwarder.Metadata;
using TestSupport;

namespace Forwarder.Tests.Metadata;

/// <summary>
/// A <see cref="KubeletPodSource"/> against a <see cref="FakeKubeletServer"/> (and, for Job lookups, a
/// <see cref="FakeKubeApiServer"/>), running until disposed, with its cache, counters and log at hand. Backoff from
/// 200 ms up to 300 ms keeps the retry tests short; the poll interval is an hour unless a test asks otherwise, so
/// every fetch but the first is one the test asked for.
/// </summary>
internal sealed class KubeletHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    public KubeletHarness(
        KubeletConnection kubelet,
        Uri? apiServer = null,
        TimeSpan? poll = null,
        TimeSpan? spacing = null,
        IReadOnlyList<string>? labels = null)
    {
        var options = new ForwarderOptions
        {
            MaxRetryDelay = TimeSpan.FromMilliseconds(300),
            KubeletPoll = poll ?? TimeSpan.FromHours(1),
            PodLabels = labels ?? new ForwarderOptions().PodLabels,
        };
        Cache = new PodMetadataCache(10_000, TimeSpan.FromMinutes(5), TimeProvider.System, Counters);
        Source = new KubeletPodSource(
            kubelet,
            apiServer is null ? null : new KubeConnection(apiServer, null, null, "node-1"),
            Cache,
            options,
            Counters,
            TimeProvider.System,
            new TypedLogger<KubeletPodSource>(Log))
        {
            MinimumSpacing = spacing ?? TimeSpan.FromMilliseconds(200),
        };
        _run = Task.Run(() => Source.RunAsync(_stop.Token));
    }

    public KubeletPodSource Source { get; }

    public MetadataCounters Counters { get; } = new();

    public PodMetadataCache Cache { get; }

    public CollectingLogger Log { get; } = new();

    public string LogText => string.Join("\n", Log.Entries.Select(e => e.Message));

    public static KubeletConnection Plain(FakeKubeletServer server, string? tokenFile = null) => new(server.Url, null, false, tokenFile);

    public PodMetadata? Find(string ns, string pod, string uid) => Cache.Find(new PodIdentity(ns, pod, "app", null, uid));

    public Task UntilLiveAsync() => Wait.UntilAsync(() => Cache.State == MetadataState.Live, "the first fetch from the kubelet");

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _run;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        Source.Dispose();
        _stop.Dispose();
    }
}
