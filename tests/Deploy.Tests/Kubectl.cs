using TestSupport;
using YamlDotNet.RepresentationModel;

namespace Deploy.Tests;

/// <summary>
/// kubectl, for rendering the kustomization: a peer like rsyslogd. Tests that need it skip with the reason when it is
/// missing, unless <c>REQUIRE_PEERS=1</c> (CI, whose <c>.ci/run</c> installs it), where they run and fail.
/// </summary>
internal static class Kubectl
{
    public static string? Path => Peers.Find("kubectl");

    public static string? SkipReason => Peers.SkipReason("kubectl");

    /// <summary>
    /// <c>kubectl kustomize DIRECTORY</c>: the objects <c>kubectl apply -k</c> would send; fails with kubectl's error.
    /// </summary>
    public static async Task<IReadOnlyList<YamlMappingNode>> KustomizeAsync(string directory)
    {
        string kubectl = Path ?? throw new Xunit.Sdk.XunitException("kubectl not found on PATH (REQUIRE_PEERS=1; .ci/run installs it)");
        var result = await ProcessRunner.RunAsync(kubectl, ["kustomize", directory], TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, $"kubectl kustomize {directory}: {result.StandardError}");
        return Yaml.Parse(result.StandardOutput, $"kubectl kustomize {directory}");
    }

    /// <summary>The one rendered object of <paramref name="kind"/> named <paramref name="name"/>.</summary>
    public static YamlMappingNode Single(this IReadOnlyList<YamlMappingNode> objects, string kind, string name) =>
        objects.SingleOrDefault(o => o.Text("kind") == kind && o.Text("metadata", "name") == name)
        ?? throw new Xunit.Sdk.XunitException($"no {kind} {name} rendered");
}

/// <summary>
/// A fact that runs kubectl: skipped with the reason when it is missing, failed under REQUIRE_PEERS=1.
/// </summary>
public sealed class KubectlFactAttribute : FactAttribute
{
    public KubectlFactAttribute() => Skip = Kubectl.SkipReason;
}
