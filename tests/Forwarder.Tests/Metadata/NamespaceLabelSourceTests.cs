using Forwarder.Configuration;
using Forwarder.Enrichment;
using Forwarder.Metadata;
using TestSupport;

namespace Forwarder.Tests.Metadata;

/// <summary>Namespace labels (--namespace-labels) from the stand-in API server's namespace list and watch.</summary>
public sealed class NamespaceLabelSourceTests
{
    private static readonly PodIdentity Web = new("shop", "web-5f7c9-aaaaa", "app", null, "uid-web");

    [Fact]
    public async Task AllowlistedNamespaceLabelsAreGivenToItsPodsAndFollowChangesAndDeletion()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        server.AddNamespace(FakeKubeApiServer.Namespace("shop", new Dictionary<string, string> { ["team"] = "payments", ["cost"] = "42" }));
        server.AddNamespace(FakeKubeApiServer.Namespace("batch"));
        var cache = new PodMetadataCache(100, TimeSpan.FromMinutes(5), TimeProvider.System, new MetadataCounters());
        cache.Put(Pod("shop", "web-5f7c9-aaaaa", "uid-web"));
        await using var run = Run(server, cache, ["env", "team"]);

        await Wait.UntilAsync(() => cache.Find(Web)!.NamespaceLabels.Count == 1, "the listed namespace's labels");
        Assert.Equal([new KeyValuePair<string, string>("team", "payments")], cache.Find(Web)!.NamespaceLabels);

        // A pod stored later gets them as it is stored; a change is a new instance of every pod of the namespace.
        cache.Put(Pod("shop", "api-1", "uid-api"));
        Assert.Equal("payments", cache.Find(new PodIdentity("shop", "api-1", "app", null, "uid-api"))!.NamespaceLabels.Single().Value);
        var before = cache.Find(Web);
        server.LabelNamespace("shop", "env", "prod");
        await Wait.UntilAsync(() => cache.Find(Web)!.NamespaceLabels.Count == 2, "the MODIFIED namespace");
        Assert.NotSame(before, cache.Find(Web));
        Assert.Equal(
            [new KeyValuePair<string, string>("env", "prod"), new KeyValuePair<string, string>("team", "payments")],
            cache.Find(Web)!.NamespaceLabels);

        server.LabelNamespace("shop", "team", null);
        await Wait.UntilAsync(() => cache.Find(Web)!.NamespaceLabels.Count == 1, "the removed label");
        server.DeleteNamespace("shop");
        await Wait.UntilAsync(() => cache.Find(Web)!.NamespaceLabels.Count == 0, "the DELETED namespace");
        Assert.Equal(1, cache.NamespaceCount);
    }

    [Fact]
    public async Task AMissingNamespacesPermissionIsLoggedWithWhereToGrantIt()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        server.NamespacesForbidden = true;
        var cache = new PodMetadataCache(100, TimeSpan.FromMinutes(5), TimeProvider.System, new MetadataCounters());
        await using var run = Run(server, cache, ["team"]);
        await Wait.UntilAsync(() => run.Log.Entries.Count > 0, "a failed list");
        Assert.Contains(
            "403 Forbidden: the service account may not list and watch namespaces (deploy/kubernetes/components/namespace-labels)",
            run.Log.Entries[0].Message,
            StringComparison.Ordinal);
    }

    private static PodMetadata Pod(string ns, string name, string uid) => new(uid, ns, name, [], null, ExcludedStreams.None);

    private static Running Run(FakeKubeApiServer server, PodMetadataCache cache, IReadOnlyList<string> keys)
    {
        var log = new CollectingLogger();
        var source = new NamespaceLabelSource(
            new KubeConnection(server.Url, null, null, "node-1"),
            cache,
            new ForwarderOptions { NamespaceLabels = keys, MaxRetryDelay = TimeSpan.FromMilliseconds(300) },
            TimeProvider.System,
            new TypedLogger<NamespaceLabelSource>(log));
        var stop = new CancellationTokenSource();
        return new Running(Task.Run(() => source.RunAsync(stop.Token)), stop, log);
    }

    private sealed record Running(Task Run, CancellationTokenSource Stop, CollectingLogger Log) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Stop.CancelAsync();
            try
            {
                await Run;
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }

            Stop.Dispose();
        }
    }
}
