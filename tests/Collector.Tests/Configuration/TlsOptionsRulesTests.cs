namespace Collector.Tests.Configuration;

/// <summary>TLS settings that cannot work are refused at start, each error naming its key and value.</summary>
public sealed class TlsOptionsRulesTests
{
    [Theory]
    [InlineData("--tls-client-auth name --tls-client-ca ca.pem", "Collector:TlsPermittedPeer must list at least one name pattern")]
    [InlineData("--tls-client-auth fingerprint", "Collector:TlsPermittedPeer must list at least one SHA-256 fingerprint")]
    [InlineData("--tls-client-auth certvalid", "Collector:TlsClientCa must be set for Collector:TlsClientAuth certvalid")]
    [InlineData(
        "--tls-client-auth name --tls-client-ca ca.pem --tls-permitted-peer a.test,n*.test",
        "Collector:TlsPermittedPeer:1 may use * only as the whole left-most label")]
    [InlineData(
        "--tls-client-auth fingerprint --tls-permitted-peer SHA1:00:11",
        "Collector:TlsPermittedPeer:0 must be a SHA-256 fingerprint (SHA256:AA:BB:...), not SHA1, was 'SHA1:00:11'")]
    [InlineData(
        "--tls-permitted-peer a.test",
        "Collector:TlsPermittedPeer is only used by Collector:TlsClientAuth name or fingerprint, was given with none")]
    [InlineData("--tls-client-auth maybe", "Collector:TlsClientAuth must be none, certvalid, name or fingerprint, was 'maybe'")]
    [InlineData("--identity-mismatch drop", "Collector:IdentityMismatch must be mark or reject, was 'drop'")]
    [InlineData("--tls-cert c.pem", "Collector:TlsCert and Collector:TlsKey must both be set")]
    public void ABadCombinationIsAConfigurationError(string switches, string error)
    {
        string[] args = ["--tls", "127.0.0.1:0", "--tls-cert", "c.pem", "--tls-key", "k.pem", "--file", Path.Combine(Path.GetTempPath(), "unused")];
        if (switches.StartsWith("--tls-cert", StringComparison.Ordinal))
        {
            args = ["--tls", "127.0.0.1:0", "--file", Path.Combine(Path.GetTempPath(), "unused")];
        }

        var app = CollectorApp.Build([.. args, .. switches.Split(' ')], out var errors);
        Assert.Null(app);
        Assert.Contains(errors, e => e.StartsWith(error, StringComparison.Ordinal));
    }
}
