using Forwarder.Configuration;
using YamlDotNet.RepresentationModel;

namespace Deploy.Tests.Kubernetes;

/// <summary>
/// The kubelet-metadata and namespace-labels components: the settings they merge are the Forwarder's, the kubelet is
/// found at the node's IP, and each adds exactly the RBAC its feature needs, which the base manifests do not grant.
/// </summary>
public sealed class MetadataComponentTests
{
    [KubectlFact]
    public async Task TheKubeletComponentSetsTheSourceNodeIpAndGetOnTheKubeletsPodsOnly()
    {
        var rendered = await Rendered.WithComponentsAsync("kubelet-metadata");
        var environment = rendered.Environment("DaemonSet", "log-forwarder");
        Assert.Empty(Settings.UnknownKeys(environment, ForwarderOptions.Section, Settings.ForwarderKeys));
        Assert.Equal("kubelet", environment["Forwarder__MetadataSource"]);
        var nodeIp = rendered.Container("DaemonSet", "log-forwarder").Items("env").Single(e => e.Text("name") == "NODE_IP");
        Assert.Equal("status.hostIP", nodeIp.Required("valueFrom", "fieldRef", "fieldPath"));

        var rules = RulesBoundToTheForwarder(rendered, "kube-syslog-log-forwarder-kubelet");
        Assert.Equal([("", "nodes/pods", "get"), ("", "nodes/proxy", "get")], rules);
    }

    [KubectlFact]
    public async Task TheNamespaceLabelsComponentSetsKeysAndReadsNamespacesOnly()
    {
        var rendered = await Rendered.WithComponentsAsync("namespace-labels");
        var environment = rendered.Environment("DaemonSet", "log-forwarder");
        Assert.Empty(Settings.UnknownKeys(environment, ForwarderOptions.Section, Settings.ForwarderKeys));
        Assert.NotEmpty(environment["Forwarder__NamespaceLabels"]);
        var rules = RulesBoundToTheForwarder(rendered, "kube-syslog-log-forwarder-namespaces");
        Assert.Equal([("", "namespaces", "get"), ("", "namespaces", "list"), ("", "namespaces", "watch")], rules);
    }

    [KubectlFact]
    public async Task WithoutTheComponentsTheForwarderMayNotReachKubeletsOrNamespaces()
    {
        var rendered = await Rendered.WithComponentsAsync();
        var resources = rendered.Objects.Where(o => o.Text("kind") == "ClusterRole")
            .SelectMany(o => o.Items("rules")).SelectMany(r => r.Items("resources")).Select(r => ((YamlScalarNode)r).Value).ToList();
        Assert.DoesNotContain(resources, r => r!.StartsWith("nodes", StringComparison.Ordinal) || r == "namespaces");
    }

    /// <summary>The rules of the ClusterRole, as (group, resource, verb), once checked that it is bound to the
    /// DaemonSet's service account.</summary>
    private static List<(string, string, string)> RulesBoundToTheForwarder(Rendered rendered, string role)
    {
        string account = rendered.Single("DaemonSet", "log-forwarder").Required("spec", "template", "spec", "serviceAccountName");
        var binding = rendered.Single("ClusterRoleBinding", role);
        Assert.Equal(role, binding.Required("roleRef", "name"));
        var subject = binding.Items("subjects").Single();
        Assert.Equal((account, "kube-syslog"), (subject.Required("name"), subject.Required("namespace")));
        return [.. rendered.Single("ClusterRole", role).Items("rules").SelectMany(rule =>
            from g in rule.Items("apiGroups")
            from r in rule.Items("resources")
            from v in rule.Items("verbs")
            select (((YamlScalarNode)g).Value!, ((YamlScalarNode)r).Value!, ((YamlScalarNode)v).Value!))
            .Order()];
    }
}
