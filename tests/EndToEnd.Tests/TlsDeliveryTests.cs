using TestSupport;

namespace EndToEnd.Tests;

/// <summary>
/// Issue 16's end-to-end promise with the real programs and a PKI made by <c>openssl</c>: a Forwarder with its node's
/// client certificate ships over <c>relp+tls://</c> to a Collector that requires client certificates and checks the
/// HOSTNAME against them; a sender without a certificate is refused, and a sender with another node's certificate
/// cannot store a line under a node name that is not its own.
/// </summary>
public sealed class TlsDeliveryTests
{
    [Fact]
    public async Task OnlyANodesOwnCertificateStoresLinesUnderItsName()
    {
        using var dir = TempDirectory.Create();
        var pki = await OpensslPki.CreateAsync(dir);
        var own = await pki.ClientAsync("node-a", "node-a.nodes.test");
        var other = await pki.ClientAsync("node-b", "node-b.nodes.test");
        await using var collector = await CollectorProcess.StartAsync(
            dir.Combine("messages"),
            "--relp-tls", "127.0.0.1:0", "--tls-cert", pki.Server.Certificate, "--tls-key", pki.Server.Key,
            "--tls-client-ca", pki.CaCertificate, "--identity-from-cert", "true", "--identity-mismatch", "reject");
        await Wait.UntilAsync(() => collector.RelpTls is not null, "the RELP-over-TLS port in the Collector's log", TimeSpan.FromSeconds(30));
        string target = $"relp+tls://{collector.RelpTls}";
        string[] trust = ["--tls-ca", pki.CaCertificate, "--tls-server-name", OpensslPki.ServerName];

        // Node a, with its own certificate.
        using var treeADir = TempDirectory.Create("node-a");
        var treeA = new NodeLogTree(treeADir);
        var logA = treeA.AddContainer("shop", "web-0", "app", RuntimeFormat.Cri);
        await using var a = await ForwarderProcess.StartAsync(
            treeA.ContainersGlob, [target], dir.Combine("state-a"),
            [.. trust, "--node", "node-a", "--tls-cert", own.Certificate, "--tls-key", own.Key]);

        // No certificate: refused at the handshake.
        using var treeBDir = TempDirectory.Create("anonymous");
        var treeB = new NodeLogTree(treeBDir);
        var logB = treeB.AddContainer("kube-system", "forged-0", "app", RuntimeFormat.Cri);
        await using var anonymous = await ForwarderProcess.StartAsync(
            treeB.ContainersGlob, [target], dir.Combine("state-anonymous"), [.. trust, "--node", "node-a"]);

        // Node b's certificate, claiming to be node a.
        using var treeCDir = TempDirectory.Create("node-b");
        var treeC = new NodeLogTree(treeCDir);
        var logC = treeC.AddContainer("kube-system", "spoof-0", "app", RuntimeFormat.Cri);
        await using var spoofer = await ForwarderProcess.StartAsync(
            treeC.ContainersGlob, [target], dir.Combine("state-b"),
            [.. trust, "--node", "node-a", "--tls-cert", other.Certificate, "--tls-key", other.Key]);

        var lines = Enumerable.Range(0, 500).Select(i => $"order {i:D4} paid").ToList();
        logA.AppendMany(lines);
        logA.Append("sentinel");
        logB.AppendMany(["forged 1", "forged 2"]);
        logC.AppendMany(["spoofed 1", "spoofed 2"]);

        await Wait.UntilAsync(
            () => collector.ReadLines().Any(l => StoredMessage.Of(l) == "sentinel"),
            "node a's sentinel stored",
            TimeSpan.FromSeconds(60));
        await Wait.UntilAsync(
            () =>
            {
                string metrics = MetricsOf(collector).GetAwaiter().GetResult();
                return Metrics.Sum(metrics, "kubesyslog_collector_tls_handshake_failures_total") >= 1
                    && Metrics.Sum(metrics, "kubesyslog_collector_identity_mismatches_total") >= 2;
            },
            "the anonymous sender refused and node b's two lines rejected",
            TimeSpan.FromSeconds(60));
        await Wait.UntilQuietAsync(
            () => collector.ReadLines().Length,
            TimeSpan.FromSeconds(2),
            "the messages file",
            TimeSpan.FromSeconds(30),
            TimeSpan.FromMilliseconds(100));

        var stored = collector.ReadLines();
        Assert.All(stored, l => Assert.Contains(" node-a ", l, StringComparison.Ordinal));
        Assert.DoesNotContain(stored, l => l.Contains("forged", StringComparison.Ordinal) || l.Contains("spoofed", StringComparison.Ordinal));
        Assert.Equal([.. lines, "sentinel"], stored.Select(StoredMessage.Of));
        string collectorMetrics = await MetricsOf(collector);
        Assert.Contains("reason=\"no_client_certificate\"", collectorMetrics, StringComparison.Ordinal);
        Assert.Contains("peer=\"node-b.nodes.test\"", collectorMetrics, StringComparison.Ordinal);
    }

    private static async Task<string> MetricsOf(CollectorProcess collector)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return await http.GetStringAsync(new Uri(collector.Http, "/metrics"));
    }
}
