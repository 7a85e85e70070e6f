using System.Text.RegularExpressions;
using TestSupport;

namespace Deploy.Tests.Kubernetes;

/// <summary>
/// <c>kubectl kustomize deploy/kubernetes</c>: what <c>kubectl apply -k</c> would send to the cluster.
/// </summary>
public sealed partial class KustomizeTests
{
    [KubectlFact]
    public async Task RendersEveryObjectIntoTheKubeSyslogNamespaceWithTaggedImages()
    {
        var rendered = await Kubectl.KustomizeAsync(Repository.File(Manifests.Directory));
        Assert.Equal(Manifests.Objects.Count + Manifests.GeneratedConfigMaps.Count, rendered.Count);
        var kinds = rendered.Select(o => $"{o.Text("kind")}/{Unhashed(o.Required("metadata", "name"))}").ToHashSet();
        foreach (string expected in new[]
        {
            "Namespace/kube-syslog", "ServiceAccount/log-forwarder", "ServiceAccount/log-collector",
            "ConfigMap/log-forwarder-config-<hash>", "ConfigMap/log-collector-config-<hash>", "ConfigMap/log-forwarders",
            "ResourceQuota/log-forwarder-critical-pods", "DaemonSet/log-forwarder", "Deployment/log-collector",
            "Service/log-collector", "PersistentVolumeClaim/log-collector-data",
        })
        {
            Assert.Contains(expected, kinds);
        }

        // Cluster-scoped objects have no namespace: the Namespace and the Forwarder's RBAC (forwarder-rbac.yaml).
        Assert.All(
            rendered.Where(o => o.Text("kind") is not ("Namespace" or "ClusterRole" or "ClusterRoleBinding")),
            o => Assert.Equal("kube-syslog", o.Text("metadata", "namespace")));
        Assert.All(rendered, o => Assert.Equal("kube-syslog", o.Text("metadata", "labels", "app.kubernetes.io/part-of")));
        var images = rendered.SelectMany(o => o.Items("spec", "template", "spec", "containers")).Select(c => c.Required("image")).Order().ToList();
        Assert.Equal(
            [Manifests.RenderedImage("registry.invalid/kube-syslog/collector"), Manifests.RenderedImage("registry.invalid/kube-syslog/forwarder")],
            images);
    }

    [KubectlFact]
    public async Task AsShippedTheImagesPointAtARegistryThatNeverResolves()
    {
        // Without `kustomize edit set image` a pull must fail (RFC 2606 reserves .invalid), never fetch an unowned
        // Docker Hub namespace's image.
        var rendered = await Kubectl.KustomizeAsync(Repository.File(Manifests.Directory));
        var images = rendered.SelectMany(o => o.Items("spec", "template", "spec", "containers")).Select(c => c.Required("image")).ToList();
        Assert.Equal(2, images.Count);
        Assert.All(images, i => Assert.StartsWith("registry.invalid/kube-syslog/", i, StringComparison.Ordinal));
    }

    [KubectlFact]
    public async Task TheSettingsConfigMapsAreGeneratedWithAHashThatTheWorkloadsReferToAndTheRelaysHaveNone()
    {
        var rendered = await Kubectl.KustomizeAsync(Repository.File(Manifests.Directory));
        foreach (var (workload, kind) in new[] { (Manifests.Forwarder, "DaemonSet"), (Manifests.Collector, "Deployment") })
        {
            string generated = workload.Container.Items("envFrom").Single().Required("configMapRef", "name");
            var template = rendered.Single(kind, workload.Name).At("spec", "template", "spec");
            string reference = template.Items("containers").Single().Items("envFrom").Single().Required("configMapRef", "name");
            Assert.Matches($"^{generated}-[a-z0-9]{{10}}$", reference);

            // kubectl reads the env file as EnvFile does: the values the other tests check are the ones deployed.
            var configMap = rendered.Single("ConfigMap", reference);
            Assert.Equal(Manifests.GeneratedConfigMaps[generated].OrderBy(e => e.Key), configMap.Scalars("data").OrderBy(e => e.Key));
        }

        // The relays stay under their own name: the Collector rereads the mounted files, a new name would restart it.
        var relays = rendered.Single("Deployment", "log-collector").At("spec", "template", "spec")
            .Items("volumes").Single(v => v.Text("configMap", "name") is not null);
        Assert.Equal("log-forwarders", relays.Required("configMap", "name"));
        rendered.Single("ConfigMap", "log-forwarders");
    }

    [KubectlFact]
    public async Task ChangingASettingChangesThePodTemplateSoApplyRollsThePods()
    {
        using var directory = TempDirectory.Create();
        string copy = directory.Combine("kubernetes");
        CopyDirectory(Repository.File(Manifests.Directory), copy);
        var before = await Kubectl.KustomizeAsync(copy);
        string settings = Path.Combine(copy, "forwarder.env");
        File.WriteAllText(
            settings,
            File.ReadAllText(settings).Replace("Forwarder__LogLevel=Information", "Forwarder__LogLevel=Debug", StringComparison.Ordinal));
        var after = await Kubectl.KustomizeAsync(copy);

        string Reference(IReadOnlyList<YamlDotNet.RepresentationModel.YamlMappingNode> objects, string kind, string name) =>
            objects.Single(kind, name).At("spec", "template", "spec").Items("containers").Single().Items("envFrom").Single()
                .Required("configMapRef", "name");
        Assert.NotEqual(Reference(before, "DaemonSet", "log-forwarder"), Reference(after, "DaemonSet", "log-forwarder"));
        Assert.Equal("Debug", after.Single("ConfigMap", Reference(after, "DaemonSet", "log-forwarder")).Text("data", "Forwarder__LogLevel"));
        // Only the edited program rolls.
        Assert.Equal(Reference(before, "Deployment", "log-collector"), Reference(after, "Deployment", "log-collector"));
    }

    internal static void CopyDirectory(string from, string to)
    {
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    /// <summary>A generated ConfigMap's name with its content hash shown as <c>-&lt;hash&gt;</c>.</summary>
    private static string Unhashed(string name) =>
        Manifests.GeneratedConfigMaps.Keys.Any(g => name.StartsWith(g + "-", StringComparison.Ordinal))
            ? HashSuffix().Replace(name, "-<hash>")
            : name;

    [GeneratedRegex("-[a-z0-9]{10}$")]
    private static partial Regex HashSuffix();
}
