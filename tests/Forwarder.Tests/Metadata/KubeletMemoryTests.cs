using System.Text.Json;
using System.Text.Json.Nodes;
using Forwarder.Metadata;
using TestSupport;
using Xunit.Abstractions;

namespace Forwarder.Tests.Metadata;

/// <summary>
/// Issue 19: the metadata of 10,000 pods read over the kubelet path costs at most 30 MB. The answer is one PodList
/// document (here 10,000 pods as <see cref="FakeKubeletServer"/> serves them, from a file so the test's own copy is not
/// counted); it is read as the source reads it, and the managed heap is measured after full collections, at the end
/// (what stays) and every 500 pods during the read (what the read holds live).
/// tests/Benchmarks/kubelet/kubelet-memory.sh measures the same in a process of its own with the Forwarder's GC
/// settings, with RSS and garbage included, against deserializing the whole list.
/// </summary>
[Collection(nameof(MemoryMeasurement))]
public sealed class KubeletMemoryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TenThousandPodsReadFromTheKubeletCostLessThanThirtyMegabytes()
    {
        using var dir = TempDirectory.Create();
        string file = dir.Combine("pods.json");
        Write(file, 10_000);
        var cache = new PodMetadataCache(20_000, TimeSpan.FromMinutes(5), TimeProvider.System, new MetadataCounters());
        var reader = new PodMetadataReader(new Forwarder.Configuration.ForwarderOptions().PodLabels);
        var workloads = new WorkloadResolver((_, _, _) => Task.FromResult<k8s.Models.V1Job?>(null));

        long before = GC.GetTotalMemory(forceFullCollection: true);
        long peak = before;
        int count;
        await using (var stream = File.OpenRead(file))
        {
            count = await KubeletPodList.ReadAsync(
                stream,
                async (pod, token) =>
                {
                    cache.Put(reader.Read(pod, await workloads.ResolveAsync(pod, token))!);
                    if (cache.Count % 500 == 0)
                    {
                        // What the read holds live at this point, buffer and pod in hand included; the garbage the GC
                        // has not collected yet depends on the machine's gen0 budget, so the benchmark measures that.
                        peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true));
                    }
                },
                CancellationToken.None);
        }

        long after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(cache);
        double retained = (after - before) / 1048576.0;
        double during = (peak - before) / 1048576.0;
        output.WriteLine(
            $"10,000 pods from a {new FileInfo(file).Length / 1048576.0:F1} MB PodList: {retained:F1} MB retained, "
                + $"live managed heap up to {during:F1} MB above the start while reading");
        Assert.Equal(10_000, count);
        Assert.Equal(10_000, cache.Count);
        var seventh = new Forwarder.Enrichment.PodIdentity("ns-7", "service-7-7d4b9c8f6-00007", "app", null, "uid-00007");
        Assert.Equal("Deployment/service-7", cache.Find(seventh)!.Workload);
        Assert.InRange(retained, 0.1, 30);
        Assert.InRange(during, retained * 0.9, 30);
    }

    /// <summary>A kubelet's answer for <paramref name="pods"/> Deployment pods, written item by item.</summary>
    private static void Write(string file, int pods)
    {
        using var stream = File.Create(file);
        using var writer = new Utf8JsonWriter(stream);
        writer.WriteStartObject();
        writer.WriteString("kind", "PodList");
        writer.WriteString("apiVersion", "v1");
        writer.WriteStartObject("metadata");
        writer.WriteEndObject();
        writer.WriteStartArray("items");
        for (int i = 0; i < pods; i++)
        {
            var labels = new Dictionary<string, string>
            {
                ["app.kubernetes.io/name"] = $"service-{i % 700}",
                ["app.kubernetes.io/instance"] = $"service-{i % 700}-prod",
                ["app.kubernetes.io/component"] = "api",
                ["app"] = $"service-{i % 700}",
                ["team"] = "platform",
            };
            var pod = KubePods.OfDeployment($"ns-{i % 40}", $"service-{i % 700}-7d4b9c8f6-{i:D5}", $"uid-{i:D5}", "node-1", $"service-{i % 700}",
                "7d4b9c8f6", labels)
                .WithAnnotation("kubernetes.io/config.seen", "2026-12-06T10:00:00.270981331Z")
                .WithAnnotation("kubernetes.io/config.source", "api");
            pod.Remove("kind");
            pod.Remove("apiVersion");
            ((JsonNode)pod).WriteTo(writer);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
