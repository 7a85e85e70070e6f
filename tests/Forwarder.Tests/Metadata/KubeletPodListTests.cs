using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Forwarder.Metadata;
using k8s.Models;
using TestSupport;

namespace Forwarder.Tests.Metadata;

/// <summary>
/// The kubelet's PodList read as a stream: whatever the read sizes, each item's metadata and nothing else; a list cut
/// short or not a list is an error naming it, after the pods read before it.
/// </summary>
public sealed class KubeletPodListTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    [InlineData(1 << 20)]
    public async Task ReadsEveryPodsMetadataWhateverTheReadSizes(int readSize)
    {
        var items = Enumerable.Range(0, 40).Select(i => KubePods.OfDeployment("shop", $"web-5f7c9-{i:D5}", $"uid-{i}", "node-1", "web", "5f7c9",
            new Dictionary<string, string> { ["app"] = $"web-{i}" })).ToList();

        // One pod's metadata larger than the first read buffer (64 KiB), as a kubectl apply annotation can make it; of
        // the annotations only the Forwarder's own are kept.
        items[17].WithAnnotation("kubectl.kubernetes.io/last-applied-configuration", new string('x', 200_000))
            .WithAnnotation("kube-syslog.io/exclude", "stderr");
        items.Insert(5, null!);
        string json = new JsonObject
        {
            ["kind"] = "PodList",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["items"] = new JsonArray([.. items.Select(p => (JsonNode?)p)]),
        }.ToJsonString();

        var pods = await ReadAsync(json, readSize);

        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"uid-{i}"), pods.Select(p => p.Metadata.Uid));
        Assert.Equal("web-17", pods[17].Metadata.Labels["app"]);
        Assert.Equal([new KeyValuePair<string, string>("kube-syslog.io/exclude", "stderr")], pods[17].Metadata.Annotations);
        Assert.Empty(pods[3].Metadata.Annotations);
        Assert.Equal(("web-5f7c9-00003", "shop", "0"), (pods[3].Metadata.Name, pods[3].Metadata.NamespaceProperty, pods[3].Metadata.ResourceVersion));
        Assert.True(pods[3].Metadata.OwnerReferences.Single().Controller);
        Assert.Equal(("ReplicaSet", "web-5f7c9"), (pods[3].Metadata.OwnerReferences.Single().Kind, pods[3].Metadata.OwnerReferences[0].Name));
        Assert.All(pods, p => Assert.Null(p.Spec));
        Assert.All(pods, p => Assert.Null(p.Status));
    }

    [Fact]
    public async Task AMetadataFieldOfTheWrongTypeIsAnError()
    {
        await Assert.ThrowsAnyAsync<JsonException>(() => ReadAsync("{\"items\":[{\"metadata\":{\"labels\":[\"a\"]}}]}", 64));
        await Assert.ThrowsAnyAsync<JsonException>(() => ReadAsync("{\"items\":[{\"metadata\":{\"uid\":{}}}]}", 64));
    }

    [Fact]
    public async Task AnEmptyListHasNoPods()
    {
        Assert.Empty(await ReadAsync("{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{},\"items\":[]}", 3));
        Assert.Empty(await ReadAsync("{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{},\"items\":null}", 3));
    }

    [Fact]
    public async Task AListCutShortIsAnErrorAfterThePodsReadBeforeIt()
    {
        string json = "{\"kind\":\"PodList\",\"items\":[{\"metadata\":{\"uid\":\"a\",\"name\":\"a\",\"namespace\":\"x\"},\"spec\":{}},"
            + "{\"metadata\":{\"uid\":\"b\",\"na";
        var pods = new List<V1Pod>();
        var e = await Assert.ThrowsAnyAsync<JsonException>(() => KubeletPodList.ReadAsync(
            new MemoryStream(Encoding.UTF8.GetBytes(json)), (p, _) => Add(pods, p), CancellationToken.None));
        Assert.Equal(["a"], pods.Select(p => p.Metadata.Uid));
        Assert.NotNull(e.Message);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"Unauthorized\"")]
    [InlineData("Unauthorized")]
    [InlineData("")]
    public async Task AnAnswerThatIsNotAnObjectIsAnError(string text)
    {
        await Assert.ThrowsAnyAsync<JsonException>(() => ReadAsync(text, 64));
    }

    private static async Task<List<V1Pod>> ReadAsync(string json, int readSize)
    {
        var pods = new List<V1Pod>();
        await using var stream = new TrickleStream(Encoding.UTF8.GetBytes(json), readSize);
        int count = await KubeletPodList.ReadAsync(stream, (p, _) => Add(pods, p), CancellationToken.None);
        Assert.Equal(pods.Count, count);
        return pods;
    }

    private static Task Add(List<V1Pod> pods, V1Pod pod)
    {
        pods.Add(pod);
        return Task.CompletedTask;
    }

    /// <summary>Hands out at most <c>readSize</c> bytes per read, as a slow connection does.</summary>
    private sealed class TrickleStream(byte[] data, int readSize) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, readSize)], cancellationToken);
    }
}
