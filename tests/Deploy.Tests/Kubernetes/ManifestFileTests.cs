namespace Deploy.Tests.Kubernetes;

/// <summary>
/// deploy/kubernetes parses, every object is named, and the kustomization lists exactly the files there.
/// </summary>
public sealed class ManifestFileTests
{
    [Fact]
    public void EveryManifestParsesIntoNamedObjects()
    {
        Assert.NotEmpty(Manifests.Files);
        foreach (string file in Manifests.Files)
        {
            var documents = Yaml.LoadDocuments(file);
            Assert.NotEmpty(documents);
            foreach (var document in documents)
            {
                Assert.False(string.IsNullOrEmpty(document.Text("apiVersion")), $"{file}: apiVersion");
                Assert.False(string.IsNullOrEmpty(document.Text("kind")), $"{file}: kind");
                Assert.False(string.IsNullOrEmpty(document.Text("metadata", "name")), $"{file}: metadata.name");
            }
        }
    }

    [Fact]
    public void TheKustomizationListsEveryManifestAndNothingElse()
    {
        var listed = Manifests.Kustomization.Items("resources")
            .Select(r => ((YamlDotNet.RepresentationModel.YamlScalarNode)r).Value)
            .Order()
            .ToList();
        var present = Manifests.Files.Select(f => (string?)Path.GetFileName(f)).Order().ToList();
        Assert.Equal(present, listed);
    }

    [Fact]
    public void TheNamespaceIsKubeSyslogAndNoManifestHardCodesAnother()
    {
        Assert.Equal("kube-syslog", Manifests.Kustomization.Text("namespace"));
        Assert.Equal("kube-syslog", Manifests.Objects.Single(o => o.Text("kind") == "Namespace").Text("metadata", "name"));
        // kustomize sets the namespace of everything else; a literal one would not follow `kustomize edit
        // set namespace`.
        Assert.All(Manifests.Objects.Where(o => o.Text("kind") != "Namespace"), o => Assert.Null(o.Text("metadata", "namespace")));
    }

    [Fact]
    public void EveryReferencedConfigMapServiceAccountAndClaimExists()
    {
        foreach (var workload in new[] { Manifests.Forwarder, Manifests.Collector })
        {
            Manifests.Find("ServiceAccount", workload.PodSpec.Required("serviceAccountName"));
            foreach (var source in workload.Container.Items("envFrom"))
            {
                Assert.NotEmpty(Manifests.ConfigMapData(source.Required("configMapRef", "name")));
            }

            foreach (var volume in workload.PodSpec.Items("volumes").Where(v => v.At("persistentVolumeClaim") is not null))
            {
                Manifests.Find("PersistentVolumeClaim", volume.Required("persistentVolumeClaim", "claimName"));
            }
        }
    }

    [Fact]
    public void OnlyTheForwarderGetsAnApiTokenAndItMayOnlyReadPodsAndJobs()
    {
        // The Forwarder watches its node's pods (docs/kubernetes-metadata.md); the Collector never calls the API.
        Assert.Equal("false", Manifests.Collector.PodSpec.Text("automountServiceAccountToken"));
        Assert.Equal("true", Manifests.Forwarder.PodSpec.Text("automountServiceAccountToken"));
        Assert.DoesNotContain(Manifests.Objects, o => o.Text("kind") is "Role" or "RoleBinding");
        var role = Assert.Single(Manifests.Objects, o => o.Text("kind") == "ClusterRole");
        var rules = role.Items("rules")
            .Select(r => string.Join(",", r.Items("apiGroups").Select(g => g.Text()))
                + "/" + string.Join(",", r.Items("resources").Select(x => x.Text()))
                + ":" + string.Join(",", r.Items("verbs").Select(v => v.Text())))
            .ToList();
        Assert.Equal(["/pods:get,list,watch", "batch/jobs:get"], rules);
        var binding = Assert.Single(Manifests.Objects, o => o.Text("kind") == "ClusterRoleBinding");
        Assert.Equal(role.Text("metadata", "name"), binding.Text("roleRef", "name"));
        var subject = Assert.Single(binding.Items("subjects"));
        Assert.Equal(("ServiceAccount", Manifests.Forwarder.PodSpec.Required("serviceAccountName")), (subject.Text("kind"), subject.Text("name")));
    }

    [Fact]
    public void TheImagesAreTheKustomizedOnesBuiltFromDeployDockerUnderAPlaceholderRegistry()
    {
        Assert.Equal("registry.invalid/kube-syslog/forwarder", Manifests.Forwarder.Image);
        Assert.Equal("registry.invalid/kube-syslog/collector", Manifests.Collector.Image);
        Assert.Matches(@"^\d+\.\d+\.\d+$", Manifests.RenderedImage(Manifests.Forwarder.Image).Split(':')[1]);
        string tag = Manifests.RenderedImage(Manifests.Forwarder.Image).Split(':')[1];
        Assert.Equal(tag, Manifests.RenderedImage(Manifests.Collector.Image).Split(':')[1]);
        // Not renamed: `kustomize edit set image` gives the registry.
        Assert.All(Manifests.Kustomization.Items("images"), i => Assert.Null(i.Text("newName")));
    }

    [Fact]
    public void TheDocumentedSetImageCommandNamesExactlyTheManifestsImages()
    {
        // docs/deploy.md's one command, `kustomize edit set image OLD=NEW …` (continued with a backslash): its OLD
        // names must be the images the kustomization knows, or the command silently adds unused entries.
        string docs = Repository.ReadText("docs/deploy.md").Replace("\\\n", " ", StringComparison.Ordinal);
        // The command lines, not prose that names the command.
        var commands = docs.Split('\n').Where(l => l.Contains("kustomize edit set image ", StringComparison.Ordinal) && l.Contains('=')).ToList();
        Assert.NotEmpty(commands);
        var expected = new[] { Manifests.Collector.Image, Manifests.Forwarder.Image }.Order().ToList();
        foreach (string command in commands)
        {
            var names = command[(command.IndexOf("set image", StringComparison.Ordinal) + "set image".Length)..]
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Where(w => w.Contains('=', StringComparison.Ordinal))
                .Select(w => w.Split('=')[0])
                .Order()
                .ToList();
            Assert.Equal(expected, names);
        }

        Assert.Equal(expected, Manifests.Kustomization.Items("images").Select(i => i.Required("name")).Order().ToList());
    }
}
