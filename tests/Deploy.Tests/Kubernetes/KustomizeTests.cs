using TestSupport;

namespace Deploy.Tests.Kubernetes;

/// <summary>
/// <c>kubectl kustomize deploy/kubernetes</c>: what <c>kubectl apply -k</c> would send to the cluster.
/// </summary>
public sealed class KustomizeTests
{
    [KubectlFact]
    public async Task RendersEveryObjectIntoTheKubeSyslogNamespaceWithTaggedImages()
    {
        string kubectl = Kubectl.Path ?? throw new Xunit.Sdk.XunitException("kubectl not found on PATH (REQUIRE_PEERS=1; .ci/run installs it)");
        var result = await ProcessRunner.RunAsync(kubectl, ["kustomize", Repository.File(Manifests.Directory)], TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, result.StandardError);

        var rendered = Yaml.Parse(result.StandardOutput, "kubectl kustomize");
        Assert.Equal(Manifests.Objects.Count, rendered.Count);
        var kinds = rendered.Select(o => $"{o.Text("kind")}/{o.Text("metadata", "name")}").ToHashSet();
        foreach (string expected in new[]
        {
            "Namespace/kube-syslog", "ServiceAccount/log-forwarder", "ServiceAccount/log-collector", "ConfigMap/log-forwarder-config",
            "ConfigMap/log-collector-config", "DaemonSet/log-forwarder", "Deployment/log-collector", "Service/log-collector",
            "PersistentVolumeClaim/log-collector-data",
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
        Assert.Equal([Manifests.RenderedImage("kube-syslog/collector"), Manifests.RenderedImage("kube-syslog/forwarder")], images);
    }
}
