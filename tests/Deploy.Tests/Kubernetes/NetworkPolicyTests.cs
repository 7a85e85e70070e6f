using YamlDotNet.RepresentationModel;

namespace Deploy.Tests.Kubernetes;

/// <summary>
/// The network-policy component: the Collector's syslog and RELP ports only from the Forwarders, its API only from
/// its own namespace and namespaces labelled for it. Checked by evaluating the rendered policy for a set of peers.
/// </summary>
public sealed class NetworkPolicyTests
{
    private static readonly Dictionary<string, string> Forwarder = new() { ["app.kubernetes.io/name"] = "log-forwarder" };
    private static readonly Dictionary<string, string> OtherPod = new() { ["app"] = "shop" };
    private static readonly Dictionary<string, string> PlainNamespace = new() { ["kubernetes.io/metadata.name"] = "shop" };
    private static readonly Dictionary<string, string> ApiNamespace = new()
    {
        ["kubernetes.io/metadata.name"] = "monitoring",
        ["kube-syslog.io/api-access"] = "true",
    };

    [KubectlFact]
    public async Task OnlyTheForwardersReachTheSyslogPortsAndOnlyChosenNamespacesTheApi()
    {
        var rendered = await Rendered.WithComponentsAsync("tls", "network-policy");
        var policy = rendered.Single("NetworkPolicy", "log-collector");
        var collectorLabels = rendered.Single("Deployment", "log-collector").Scalars("spec", "template", "metadata", "labels");
        Assert.True(Selects(policy.At("spec", "podSelector")!, collectorLabels));
        Assert.Equal(["Ingress"], policy.Items("spec", "policyTypes").Select(p => ((YamlScalarNode)p).Value));

        var ports = rendered.Container("Deployment", "log-collector").Items("ports").ToList();
        var syslogPorts = ports.Where(p => p.Text("name") != "http").ToList();
        Assert.Equal(5, syslogPorts.Count);
        foreach (var port in syslogPorts)
        {
            string name = port.Required("name");
            Assert.True(Allows(policy, Forwarder, sameNamespace: true, [], port), $"a Forwarder to {name}");
            Assert.False(Allows(policy, OtherPod, sameNamespace: true, [], port), $"another pod of the namespace to {name}");
            Assert.False(Allows(policy, OtherPod, sameNamespace: false, ApiNamespace, port), $"a pod of an API namespace to {name}");
            Assert.False(Allows(policy, Forwarder, sameNamespace: false, PlainNamespace, port), $"a look-alike pod elsewhere to {name}");
        }

        var http = ports.Single(p => p.Text("name") == "http");
        Assert.True(Allows(policy, OtherPod, sameNamespace: true, [], http));
        Assert.True(Allows(policy, OtherPod, sameNamespace: false, ApiNamespace, http));
        Assert.False(Allows(policy, OtherPod, sameNamespace: false, PlainNamespace, http));
        Assert.False(Allows(policy, Forwarder, sameNamespace: false, PlainNamespace, http));
    }

    [KubectlFact]
    public async Task WithoutTheComponentNoPolicyLimitsOtherSenders()
    {
        var rendered = await Kubectl.KustomizeAsync(Repository.File(Manifests.Directory));
        Assert.DoesNotContain(rendered, o => o.Text("kind") == "NetworkPolicy");
    }

    /// <summary>
    /// NetworkPolicy ingress semantics: some rule whose peers include the sender and whose ports include the
    /// container port (by name or number and protocol). A podSelector alone means this namespace; a
    /// namespaceSelector alone, every pod of the namespaces it selects.
    /// </summary>
    private static bool Allows(
        YamlNode policy, Dictionary<string, string> pod, bool sameNamespace, Dictionary<string, string> namespaceLabels, YamlNode port) =>
        policy.Items("spec", "ingress").Any(rule =>
            rule.Items("from").Any(peer => peer.At("namespaceSelector") is { } namespaces
                ? !sameNamespace && Selects(namespaces, namespaceLabels) && (peer.At("podSelector") is not { } pods || Selects(pods, pod))
                : sameNamespace && Selects(peer.At("podSelector")!, pod))
            && rule.Items("ports").Any(p =>
                (p.Required("port") == port.Required("name") || p.Required("port") == port.Required("containerPort"))
                && (p.Text("protocol") ?? "TCP") == (port.Text("protocol") ?? "TCP")));

    private static bool Selects(YamlNode selector, IReadOnlyDictionary<string, string> labels) =>
        selector.Scalars("matchLabels").All(l => labels.TryGetValue(l.Key, out string? v) && v == l.Value)
        && selector.At("matchExpressions") is null;
}
