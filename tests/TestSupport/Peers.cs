using Xunit;
using Xunit.Sdk;

namespace TestSupport;

/// <summary>
/// Finds the real peers (util-linux <c>logger</c>, <c>rsyslogd</c>, <c>openssl</c>; <c>kubectl</c>) installed from
/// packages, on PATH or in the sbin directories, and rsyslog's modules by their file name (<c>imrelp.so</c>). Tests
/// that need one skip with the reason when it is missing, unless <c>REQUIRE_PEERS=1</c> (CI), where they run and fail.
/// </summary>
public static class Peers
{
    public static bool Required => Environment.GetEnvironmentVariable("REQUIRE_PEERS") == "1";

    public static string? Find(string name)
    {
        if (name.EndsWith(".so", StringComparison.Ordinal))
        {
            // An rsyslog module (imrelp.so from rsyslog-relp, lmnsd_gtls.so, lmnsd_ossl.so): rsyslogd alone is not
            // enough, and Debian installs these only as recommendations.
            return new[] { "/usr/lib/x86_64-linux-gnu/rsyslog", "/usr/lib/aarch64-linux-gnu/rsyslog", "/usr/lib/rsyslog" }
                .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
        }

        var directories = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin", "/usr/bin", "/bin"]);
        return directories.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
    }

    /// <summary>
    /// The path of <paramref name="name"/>; fails the test with install instructions when it is missing.
    /// </summary>
    public static string Require(string name) =>
        Find(name) ?? throw new XunitException(
            $"Peer binary '{name}' not found on PATH or in /usr/sbin, /sbin. " +
            "Install it as .ci/run does (apt-get install rsyslog rsyslog-relp bsdutils openssl; kubectl from Google's apt repository).");

    /// <summary>Why a test needing <paramref name="names"/> is skipped here, or null when it runs.</summary>
    public static string? SkipReason(params string[] names) => SkipReason(Required, names);

    /// <summary>Same, with the REQUIRE_PEERS setting given (for testing the rule itself).</summary>
    public static string? SkipReason(bool required, params string[] names)
    {
        if (required)
        {
            return null;
        }

        var missing = names.Where(n => Find(n) is null).ToArray();
        return missing.Length == 0
            ? null
            : $"needs {string.Join(", ", missing)} (.ci/run installs every peer); set REQUIRE_PEERS=1 to fail instead of skipping";
    }
}

/// <summary>
/// A fact that needs real peer binaries: skipped with a reason when they are missing, failed under REQUIRE_PEERS=1.
/// </summary>
public sealed class PeerFactAttribute : FactAttribute
{
    public PeerFactAttribute(params string[] binaries) => Skip = Peers.SkipReason(binaries);
}

/// <summary>A theory that needs real peer binaries; see <see cref="PeerFactAttribute"/>.</summary>
public sealed class PeerTheoryAttribute : TheoryAttribute
{
    public PeerTheoryAttribute(params string[] binaries) => Skip = Peers.SkipReason(binaries);
}
