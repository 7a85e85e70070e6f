using YamlDotNet.RepresentationModel;

namespace Deploy.Tests.Kubernetes;

/// <summary>
/// What a hardened or managed cluster checks before it runs the pods: Pod Security admission, the critical priority's
/// quota (GKE), and on which nodes the Forwarder lands when it tolerates every taint.
/// </summary>
public sealed class AdmissionTests
{
    private static readonly Dictionary<string, string> OrdinaryNode = new()
    {
        ["kubernetes.io/os"] = "linux",
        ["kubernetes.io/arch"] = "amd64",
        ["kubernetes.io/hostname"] = "node-1",
        ["node-role.kubernetes.io/control-plane"] = string.Empty,
        ["eks.amazonaws.com/compute-type"] = "ec2",
    };

    [Fact]
    public void TheNamespaceEnforcesPrivilegedForTheForwardersHostPathsAndWarnsAndAuditsAtBaseline()
    {
        var labels = Manifests.Find("Namespace", "kube-syslog").Scalars("metadata", "labels");
        Assert.Equal("privileged", labels["pod-security.kubernetes.io/enforce"]);
        Assert.Equal("baseline", labels["pod-security.kubernetes.io/warn"]);
        Assert.Equal("baseline", labels["pod-security.kubernetes.io/audit"]);
        Assert.All(new[] { "enforce", "warn", "audit" }, mode => Assert.Equal("latest", labels[$"pod-security.kubernetes.io/{mode}-version"]));

        // Why privileged: baseline forbids hostPath volumes, and the Forwarder cannot work without them.
        Assert.Contains(Manifests.Forwarder.PodSpec.Items("volumes"), v => v.At("hostPath") is not null);
    }

    [Fact]
    public void TheCriticalPriorityComesWithAQuotaScopedToItSoGkeAdmitsThePodsOutsideKubeSystem()
    {
        string priority = Manifests.Forwarder.PodSpec.Required("priorityClassName");
        var quota = Manifests.Objects.Single(o => o.Text("kind") == "ResourceQuota");
        var expression = quota.Items("spec", "scopeSelector", "matchExpressions").Single();
        Assert.Equal("PriorityClass", expression.Required("scopeName"));
        Assert.Equal("In", expression.Required("operator"));
        Assert.Equal([priority], expression.Items("values").Select(v => ((YamlScalarNode)v).Value));
        // A bound far above one pod per node: the quota exists to permit, not to limit.
        Assert.Equal("1G", quota.Required("spec", "hard", "pods"));
    }

    [Fact]
    public void TheForwarderRunsOnOrdinaryLinuxNodesOfItsArchitectureIncludingTaintedOnes()
    {
        var pod = Manifests.Forwarder.PodSpec;
        Assert.Contains(pod.Items("tolerations"), t => t.Text("operator") == "Exists" && t.Text("key") is null);
        Assert.True(NodeSelection.Admits(pod, OrdinaryNode));
        var withoutOptionalLabels = OrdinaryNode.Where(l => l.Key.StartsWith("kubernetes.io/", StringComparison.Ordinal)).ToDictionary();
        Assert.True(NodeSelection.Admits(pod, withoutOptionalLabels));
    }

    [Theory]
    [InlineData("kubernetes.io/os", "windows")]
    [InlineData("kubernetes.io/arch", "arm64")]
    [InlineData("kubernetes.io/arch", "s390x")]
    [InlineData("type", "virtual-kubelet")]
    [InlineData("eks.amazonaws.com/compute-type", "fargate")]
    public void TheForwarderStaysOffNodesWhereItCouldNeverBecomeReady(string label, string value)
    {
        var node = new Dictionary<string, string>(OrdinaryNode) { [label] = value };
        Assert.False(NodeSelection.Admits(Manifests.Forwarder.PodSpec, node), $"{label}={value}");
    }
}
