using Collector.Ingest.Tls;

namespace Collector.Tests.Ingest.Tls;

/// <summary>RFC 5425 §5.2 wildcards and rsyslog's fingerprint notation.</summary>
public sealed class PeerNamePatternTests
{
    [Theory]
    [InlineData("node-1.nodes.test", "node-1.nodes.test", true)]
    [InlineData("node-1.nodes.test", "NODE-1.Nodes.Test", true)]
    [InlineData("node-1.nodes.test", "node-1.nodes.test.", true)]
    [InlineData("node-1.nodes.test", "node-2.nodes.test", false)]
    [InlineData("*.nodes.test", "node-1.nodes.test", true)]
    [InlineData("*.nodes.test", "nodes.test", false)]
    [InlineData("*.nodes.test", "a.b.nodes.test", false)]
    [InlineData("*.nodes.test", ".nodes.test", false)]
    [InlineData("*.nodes.test", "node-1.nodes.test.evil", false)]
    public void MatchesAsRfc5425Says(string pattern, string name, bool matches) =>
        Assert.Equal(matches, PeerNamePattern.Matches(pattern, name));

    [Theory]
    [InlineData("node-1.nodes.test")]
    [InlineData("*.nodes.test")]
    public void TakesNamesAndLeftMostWildcards(string pattern) => Assert.Null(PeerNamePattern.Check(pattern));

    [Theory]
    [InlineData("n*.nodes.test", "only as the whole left-most label")]
    [InlineData("node.*.test", "only as the whole left-most label")]
    [InlineData("*.test", "at least two labels after *")]
    [InlineData("a..test", "empty label")]
    [InlineData("SHA256:AA:BB", "fingerprint")]
    public void RefusesOtherPatternsSayingWhy(string pattern, string why) =>
        Assert.Contains(why, PeerNamePattern.Check(pattern), StringComparison.Ordinal);

    [Theory]
    [InlineData("SHA256:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF")]
    [InlineData("sha256:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff")]
    [InlineData("00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff")]
    public void ReadsAFingerprintInEachNotation(string text)
    {
        Assert.True(CertificateFingerprint.TryParse(text, out var fingerprint, out _));
        Assert.Equal(
            "SHA256:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF",
            CertificateFingerprint.Format(fingerprint));
    }

    [Theory]
    [InlineData("SHA1:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33", "not SHA1")]
    [InlineData("SHA256:00:11", "32 hex bytes")]
    [InlineData("SHA256:zz:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF", "32 hex bytes")]
    public void RefusesOtherFingerprintsSayingWhy(string text, string why)
    {
        Assert.False(CertificateFingerprint.TryParse(text, out _, out string? message));
        Assert.Contains(why, message, StringComparison.Ordinal);
    }
}
