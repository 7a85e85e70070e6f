using TestSupport;

namespace Deploy.Tests;

/// <summary>
/// kubectl, for rendering the kustomization. It is optional on a fresh CI machine (not a Debian package): tests that
/// need it skip with the reason when it is missing, unless <c>REQUIRE_KUBECTL=1</c>, where they run and fail.
/// REQUIRE_PEERS does not cover it, so CI's peer requirement cannot demand a binary CI does not install.
/// </summary>
internal static class Kubectl
{
    public static bool Required => Environment.GetEnvironmentVariable("REQUIRE_KUBECTL") == "1";

    public static string? Path => Peers.Find("kubectl");

    public static string? SkipReason => Required || Path is not null
        ? null
        : "needs kubectl on PATH (https://kubernetes.io/docs/tasks/tools/); set REQUIRE_KUBECTL=1 to fail instead of skipping";
}

/// <summary>A fact that runs kubectl: skipped with the reason when it is missing, failed under REQUIRE_KUBECTL=1.</summary>
public sealed class KubectlFactAttribute : FactAttribute
{
    public KubectlFactAttribute() => Skip = Kubectl.SkipReason;
}
