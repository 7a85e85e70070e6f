using TestSupport;

namespace Shared.Tests;

/// <summary>
/// The rule every interop test relies on: skip with a reason when a peer is missing, never under REQUIRE_PEERS=1.
/// </summary>
public class PeerSkipRuleTests
{
    [Fact]
    public void AMissingPeerSkipsWithAReasonThatNamesIt()
    {
        var reason = Peers.SkipReason(required: false, "no-such-syslog-peer");

        Assert.NotNull(reason);
        Assert.Contains("no-such-syslog-peer", reason);
        Assert.Contains("REQUIRE_PEERS=1", reason);
    }

    [Fact]
    public void AMissingRsyslogModuleSkipsWithAReasonThatNamesIt()
    {
        // rsyslogd is there without rsyslog-relp when only rsyslog was installed (its modules are recommendations).
        var reason = Peers.SkipReason(required: false, "no-such-module.so");

        Assert.NotNull(reason);
        Assert.Contains("no-such-module.so", reason);
    }

    [Fact]
    public void AnInstalledRsyslogModuleIsFoundInRsyslogsModuleDirectory()
    {
        // imudp ships in the rsyslog package itself: wherever rsyslogd is, so is it.
        if (Peers.Find("rsyslogd") is null)
        {
            Assert.Null(Peers.Find("imudp.so")); // No rsyslog, no modules: nothing found by accident either.
            return;
        }

        Assert.EndsWith("/rsyslog/imudp.so", Peers.Find("imudp.so"));
    }

    [Fact]
    public void AMissingPeerIsNotSkippedWhenPeersAreRequired()
    {
        Assert.Null(Peers.SkipReason(required: true, "no-such-syslog-peer"));
    }

    [Fact]
    public void RequiringAMissingPeerFailsTheTestWithInstallInstructions()
    {
        var failure = Assert.ThrowsAny<Exception>(() => Peers.Require("no-such-syslog-peer"));

        Assert.Contains("apt-get install", failure.Message);
    }
}
