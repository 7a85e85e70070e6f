using TestSupport;

namespace Deploy.Tests;

/// <summary>
/// kubectl, for rendering the kustomization: a peer like rsyslogd. Tests that need it skip with the reason when it is
/// missing, unless <c>REQUIRE_PEERS=1</c> (CI, whose <c>.ci/run</c> installs it), where they run and fail.
/// </summary>
internal static class Kubectl
{
    public static string? Path => Peers.Find("kubectl");

    public static string? SkipReason => Peers.SkipReason("kubectl");
}

/// <summary>
/// A fact that runs kubectl: skipped with the reason when it is missing, failed under REQUIRE_PEERS=1.
/// </summary>
public sealed class KubectlFactAttribute : FactAttribute
{
    public KubectlFactAttribute() => Skip = Kubectl.SkipReason;
}
