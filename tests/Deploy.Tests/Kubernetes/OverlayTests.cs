using TestSupport;

namespace Deploy.Tests.Kubernetes;

/// <summary>
/// The overlay docs/deploy.md shows ("Your cluster's overlay"), rendered next to a copy of deploy/kubernetes as a
/// user's clone would hold it: each documented patch does what the page says.
/// </summary>
public sealed class OverlayTests
{
    private const string OverlayPath = "deploy/my-cluster/kustomization.yaml";

    [KubectlFact]
    public async Task TheDocumentedOverlayNamesTheStorageClassTheRegistryAndArm64AndAddsThePodMonitor()
    {
        var rendered = await RenderDocumentedOverlayAsync();

        Assert.Equal("standard", rendered.Single("PersistentVolumeClaim", "log-collector-data").Text("spec", "storageClassName"));
        var forwarder = rendered.Single("DaemonSet", "log-forwarder").At("spec", "template", "spec");
        Assert.Equal("arm64", forwarder.Text("nodeSelector", "kubernetes.io/arch"));
        Assert.Equal("linux", forwarder.Text("nodeSelector", "kubernetes.io/os"));
        var images = rendered.SelectMany(o => o.Items("spec", "template", "spec", "containers")).Select(c => c.Required("image")).Order();
        Assert.Equal(["registry.example.com/kube-syslog/collector:0.1.0", "registry.example.com/kube-syslog/forwarder:0.1.0"], images);
        Assert.Equal("kube-syslog", rendered.Single(o => o.Text("kind") == "PodMonitor").Text("metadata", "namespace"));
    }

    [KubectlFact]
    public async Task WithoutTheOverlayTheClaimUsesTheClustersDefaultClass()
    {
        // The patch is the knob: the shipped claim names no class, so clusters with a default class need nothing.
        var rendered = await Kubectl.KustomizeAsync(Repository.File(Manifests.Directory));
        Assert.Null(rendered.Single("PersistentVolumeClaim", "log-collector-data").At("spec", "storageClassName"));
        Assert.Null(Manifests.Find("PersistentVolumeClaim", "log-collector-data").At("spec", "storageClassName"));
    }

    private static async Task<IReadOnlyList<YamlDotNet.RepresentationModel.YamlMappingNode>> RenderDocumentedOverlayAsync()
    {
        using var directory = TempDirectory.Create();
        KustomizeTests.CopyDirectory(Repository.File(Manifests.Directory), directory.Combine(Manifests.Directory));
        string overlay = directory.Combine(OverlayPath);
        Directory.CreateDirectory(Path.GetDirectoryName(overlay)!);
        File.WriteAllText(overlay, DocumentedOverlay());
        return await Kubectl.KustomizeAsync(Path.GetDirectoryName(overlay)!);
    }

    /// <summary>The first ```yaml block after the paragraph that names the overlay's path.</summary>
    private static string DocumentedOverlay()
    {
        var lines = File.ReadAllLines(Repository.File("docs/deploy.md"));
        int named = Array.FindIndex(lines, l => l.Contains($"`{OverlayPath}`", StringComparison.Ordinal));
        Assert.True(named >= 0, $"docs/deploy.md does not name {OverlayPath}");
        var block = lines.Skip(named).SkipWhile(l => l != "```yaml").Skip(1).TakeWhile(l => l != "```").ToList();
        Assert.NotEmpty(block);
        return string.Join('\n', block) + "\n";
    }
}
