using System.Text.Json;
using Forwarder.Enrichment;
using Forwarder.Metadata;
using k8s;
using TestSupport;
using Xunit.Abstractions;

namespace Forwarder.Tests.Metadata;

/// <summary>The cache's bounds: capacity with deleted pods going first, and what 10,000 pods cost.</summary>
[Collection(nameof(MemoryMeasurement))]
public sealed class PodMetadataCacheTests(ITestOutputHelper output)
{
    [Fact]
    public void PastItsCapacityDeletedPodsGoFirstThenTheOldest()
    {
        var counters = new MetadataCounters();
        var cache = new PodMetadataCache(3, TimeSpan.FromMinutes(5), TimeProvider.System, counters);
        cache.Put(Pod("a"));
        cache.Put(Pod("b"));
        cache.Put(Pod("c"));
        cache.MarkDeleted(Pod("b"));
        cache.Put(Pod("d"));
        Assert.Null(Find(cache, "b"));
        Assert.NotNull(Find(cache, "a"));

        cache.Put(Pod("e"));
        Assert.Null(Find(cache, "a"));
        Assert.Equal(["c", "d", "e"], new[] { "a", "b", "c", "d", "e" }.Where(n => Find(cache, n) is not null));
        Assert.Equal(2, counters.Evictions);
    }

    [Fact]
    public void ANameReusedByANewPodIsFoundByUidForEitherPod()
    {
        var cache = new PodMetadataCache(100, TimeSpan.FromMinutes(5), TimeProvider.System, new MetadataCounters());
        var old = Pod("db-0") with { Uid = "uid-old", Workload = "StatefulSet/db" };
        var fresh = Pod("db-0") with { Uid = "uid-new", Workload = "StatefulSet/db2" };
        cache.Put(old);
        cache.MarkDeleted(old);
        cache.Put(fresh);
        Assert.Equal("StatefulSet/db", cache.Find(new PodIdentity("shop", "db-0", "app", null, "uid-old"))!.Workload);
        Assert.Equal("StatefulSet/db2", cache.Find(new PodIdentity("shop", "db-0", "app", null, "uid-new"))!.Workload);
        Assert.Equal("StatefulSet/db2", cache.Find(new PodIdentity("shop", "db-0", "app", null, null))!.Workload);
    }

    /// <summary>
    /// Issue 19: 10,000 pods (a large node list) cost at most 30 MB. Pods as the API returns them (five labels, an
    /// owner),
    /// read through the same reader as the source; the retained managed heap is measured after full collections.
    /// </summary>
    [Fact]
    public void TenThousandPodsCostLessThanThirtyMegabytes()
    {
        var reader = new PodMetadataReader(new Forwarder.Configuration.ForwarderOptions().PodLabels);
        var cache = new PodMetadataCache(20_000, TimeSpan.FromMinutes(5), TimeProvider.System, new MetadataCounters());
        long before = GC.GetTotalMemory(forceFullCollection: true);
        for (int i = 0; i < 10_000; i++)
        {
            var labels = new Dictionary<string, string>
            {
                ["app.kubernetes.io/name"] = $"service-{i % 700}",
                ["app.kubernetes.io/instance"] = $"service-{i % 700}-prod",
                ["app.kubernetes.io/component"] = "api",
                ["app"] = $"service-{i % 700}",
                ["team"] = "platform",
            };
            string json = KubePods.OfDeployment($"ns-{i % 40}", $"service-{i % 700}-7d4b9c8f6-{i:D5}", Guid.NewGuid().ToString(), "node-1",
                $"service-{i % 700}", "7d4b9c8f6", labels).ToJsonString();
            var pod = JsonSerializer.Deserialize(json, SourceGenerationContext.Default.V1Pod)!;
            cache.Put(reader.Read(pod, $"Deployment/service-{i % 700}")!);
        }

        long after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(cache);
        double megabytes = (after - before) / 1024.0 / 1024.0;
        output.WriteLine($"10,000 pods in the metadata cache: {megabytes:F1} MB retained ({(after - before) / 10_000} bytes per pod)");
        Assert.Equal(10_000, cache.Count);
        Assert.InRange(megabytes, 0.1, 30);
    }

    private static PodMetadata Pod(string name) => new($"uid-{name}", "shop", name, [], null, ExcludedStreams.None);

    private static PodMetadata? Find(PodMetadataCache cache, string name) => cache.Find(new PodIdentity("shop", name, "app", null, $"uid-{name}"));
}

/// <summary>Tests that read the process's heap size run alone.</summary>
[CollectionDefinition(nameof(MemoryMeasurement), DisableParallelization = true)]
public sealed class MemoryMeasurement;
