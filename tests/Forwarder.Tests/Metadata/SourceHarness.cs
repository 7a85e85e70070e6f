using Forwarder.Configuration;
using Forwarder.Enrichment;
using Forwarder.Metadata;
using TestSupport;

namespace Forwarder.Tests.Metadata;

/// <summary>
/// An <see cref="ApiServerPodSource"/> for node-1 against a <see cref="FakeKubeApiServer"/>, running until disposed,
/// with its cache, counters and log at hand. Backoff from 200 ms up to 300 ms keeps the retry tests short.
/// </summary>
internal sealed class SourceHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    public SourceHarness(
        Uri url,
        string? tokenFile = null,
        string? caFile = null,
        TimeProvider? cacheTime = null,
        TimeSpan? grace = null,
        IReadOnlyList<string>? labels = null)
    {
        var options = new ForwarderOptions
        {
            MaxRetryDelay = TimeSpan.FromMilliseconds(300),
            PodLabels = labels ?? new ForwarderOptions().PodLabels,
        };
        Cache = new PodMetadataCache(10_000, grace ?? TimeSpan.FromMinutes(5), cacheTime ?? TimeProvider.System, Counters);
        var source = new ApiServerPodSource(
            new KubeConnection(url, caFile, tokenFile, "node-1"),
            Cache,
            options,
            Counters,
            TimeProvider.System,
            new TypedLogger<ApiServerPodSource>(Log));
        _run = Task.Run(() => source.RunAsync(_stop.Token));
    }

    public MetadataCounters Counters { get; } = new();

    public PodMetadataCache Cache { get; }

    public CollectingLogger Log { get; } = new();

    public PodMetadata? Find(string ns, string pod, string uid) => Cache.Find(new PodIdentity(ns, pod, "app", null, uid));

    /// <summary>Until the first list is in the cache (Live comes once the list's last page is applied).</summary>
    public Task UntilLiveAsync() => Wait.UntilAsync(() => Cache.State == MetadataState.Live, "the source's first list");

    /// <summary>
    /// Until the list is in the cache and its watch is open on <paramref name="server"/>. Live comes with the list's
    /// last page, a moment before the watch request reaches the server (on a loaded machine, long enough for the test
    /// to run ahead): a test that counts watches, or sends a bookmark (only an open watch receives one, nothing
    /// replays it), waits for this.
    /// </summary>
    public async Task UntilWatchingAsync(FakeKubeApiServer server)
    {
        await UntilLiveAsync();
        await Wait.UntilAsync(() => server.OpenWatches > 0, "the watch after the list");
    }

    public string LogText => string.Join("\n", Log.Entries.Select(e => e.Message));

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

        _stop.Dispose();
    }
}
