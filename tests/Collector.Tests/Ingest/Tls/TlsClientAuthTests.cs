using TestSupport;

namespace Collector.Tests.Ingest.Tls;

/// <summary>
/// <c>--tls-client-auth</c>: who may send. Each refused client is closed alone and counted by its reason; a permitted
/// client's line is stored; the exact list of stored lines shows nothing of the refused ones got in.
/// </summary>
public sealed class TlsClientAuthTests
{
    private const string Reasons = "kubesyslog_collector_tls_handshake_failures_total{reason=\"";

    [PeerFact("openssl")]
    public async Task CertValidTakesAClientOfTheCaAndRefusesTheOthersEachForItsReason()
    {
        using var dir = TempDirectory.Create();
        var pki = await OpensslPki.CreateAsync(dir);
        await using var collector = await RunningCollector.StartAsync(dir, TlsTestClient.Switches(pki, "--tls-client-ca", pki.CaCertificate));
        var endPoint = TlsTestClient.TlsEndPoint(collector);

        Assert.True(await TlsTestClient.IsRefusedAsync(endPoint, pki, client: null));
        Assert.True(await TlsTestClient.IsRefusedAsync(endPoint, pki, await pki.UntrustedClientAsync("untrusted", "node-1.nodes.test")));
        Assert.True(await TlsTestClient.IsRefusedAsync(endPoint, pki, await pki.ExpiredClientAsync("expired", "node-1.nodes.test")));
        await SendAsync(collector, pki, await pki.ClientAsync("good", "node-1.nodes.test"), seq: 0);

        await Wait.UntilAsync(() => collector.ReadLines().Length >= 1, "the good client's line");
        Assert.Equal([SequencedMessages.ExpectedLine(1, 0)], collector.ReadLines());
        Assert.Equal(1, await collector.MetricAsync(Reasons + "no_client_certificate\"}"));
        Assert.Equal(1, await collector.MetricAsync(Reasons + "untrusted\"}"));
        Assert.Equal(1, await collector.MetricAsync(Reasons + "expired\"}"));
        Assert.Equal(1, await collector.MetricAsync("kubesyslog_collector_tls_handshakes_total"));
    }

    [PeerFact("openssl")]
    public async Task NameTakesAPermittedNameAndAWildcardOfOneLabelOnly()
    {
        using var dir = TempDirectory.Create();
        var pki = await OpensslPki.CreateAsync(dir);
        await using var collector = await RunningCollector.StartAsync(
            dir,
            TlsTestClient.Switches(
                pki, "--tls-client-auth", "name", "--tls-client-ca", pki.CaCertificate, "--tls-permitted-peer", "*.nodes.test,relay.test"));
        var endPoint = TlsTestClient.TlsEndPoint(collector);

        Assert.True(await TlsTestClient.IsRefusedAsync(endPoint, pki, await pki.ClientAsync("deep", "a.b.nodes.test")));
        Assert.True(await TlsTestClient.IsRefusedAsync(endPoint, pki, await pki.ClientAsync("other", "node-1.elsewhere.test")));
        Assert.True(await TlsTestClient.IsRefusedAsync(endPoint, pki, await pki.UntrustedClientAsync("untrusted", "node-1.nodes.test")));
        await SendAsync(collector, pki, await pki.ClientAsync("node", "node-1.nodes.test"), seq: 0);
        await SendAsync(collector, pki, await pki.ClientAsync("relay", "RELAY.test"), seq: 1);

        await Wait.UntilAsync(() => collector.ReadLines().Length >= 2, "the permitted clients' lines");
        Assert.Equal([SequencedMessages.ExpectedLine(1, 0), SequencedMessages.ExpectedLine(1, 1)], collector.ReadLines());
        Assert.Equal(2, await collector.MetricAsync(Reasons + "name_not_permitted\"}"));
        Assert.Equal(1, await collector.MetricAsync(Reasons + "untrusted\"}"));
    }

    [PeerFact("openssl")]
    public async Task FingerprintTakesOnlyTheListedCertificateInRsyslogsNotation()
    {
        using var dir = TempDirectory.Create();
        var pki = await OpensslPki.CreateAsync(dir);
        var listed = await pki.UntrustedClientAsync("listed", "node-1.nodes.test");
        string fingerprint = "SHA256:" + (await pki.FingerprintAsync(listed.Certificate)).ToLowerInvariant();
        await using var collector = await RunningCollector.StartAsync(
            dir, TlsTestClient.Switches(pki, "--tls-client-auth", "fingerprint", "--tls-permitted-peer", fingerprint));
        var endPoint = TlsTestClient.TlsEndPoint(collector);

        Assert.True(await TlsTestClient.IsRefusedAsync(endPoint, pki, await pki.ClientAsync("good-but-unlisted", "node-1.nodes.test")));
        Assert.True(await TlsTestClient.IsRefusedAsync(endPoint, pki, client: null));
        await SendAsync(collector, pki, listed, seq: 0);

        await Wait.UntilAsync(() => collector.ReadLines().Length >= 1, "the listed client's line");
        Assert.Equal([SequencedMessages.ExpectedLine(1, 0)], collector.ReadLines());
        Assert.Equal(1, await collector.MetricAsync(Reasons + "fingerprint_not_permitted\"}"));
        Assert.Equal(1, await collector.MetricAsync(Reasons + "no_client_certificate\"}"));
    }

    [PeerFact("openssl")]
    public async Task NoneTakesClientsWithAndWithoutCertificates()
    {
        using var dir = TempDirectory.Create();
        var pki = await OpensslPki.CreateAsync(dir);
        await using var collector = await RunningCollector.StartAsync(dir, TlsTestClient.Switches(pki));
        await SendAsync(collector, pki, client: null, seq: 0);
        await SendAsync(collector, pki, await pki.UntrustedClientAsync("anyone", "anyone.test"), seq: 1);

        await Wait.UntilAsync(() => collector.ReadLines().Length >= 2, "both lines");
        Assert.Equal([SequencedMessages.ExpectedLine(1, 0), SequencedMessages.ExpectedLine(1, 1)], collector.ReadLines());
    }

    private static async Task SendAsync(RunningCollector collector, OpensslPki pki, OpensslPki.Pair? client, int seq)
    {
        await using var connection = await TlsTestClient.ConnectAsync(TlsTestClient.TlsEndPoint(collector), pki, client);
        await connection.Stream.WriteAsync(SequencedMessages.Frame(1, seq, octetCounted: true));
        await connection.Stream.FlushAsync();

        // One at a time, so the expected order of the lines is the order of the sends.
        string line = SequencedMessages.ExpectedLine(1, seq);
        await Wait.UntilAsync(() => collector.ReadLines().Contains(line), $"line {seq}");
    }
}
