using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using TestSupport;

namespace Collector.Tests.Ingest.Tls;

/// <summary>
/// The <c>--tls</c> listener end to end on loopback: framing as on plain TCP, TLS 1.2 and 1.3, and the certificate
/// pair reloaded from its files while connections stay open.
/// </summary>
public sealed class TlsIngestTests
{
    [PeerTheory("openssl")]
    [InlineData(SslProtocols.Tls13)]
    [InlineData(SslProtocols.Tls12)]
    public async Task OctetCountedAndLfFramesAreStoredInOrder(SslProtocols protocol)
    {
        using var dir = TempDirectory.Create();
        var pki = await OpensslPki.CreateAsync(dir);
        await using var collector = await RunningCollector.StartAsync(dir, TlsTestClient.Switches(pki));
        await using (var client = await TlsTestClient.ConnectAsync(TlsTestClient.TlsEndPoint(collector), pki, protocols: protocol))
        {
            Assert.Equal(protocol, client.Stream.SslProtocol);
            for (int seq = 0; seq < 6; seq++)
            {
                await client.Stream.WriteAsync(SequencedMessages.Frame(1, seq, octetCounted: seq % 2 == 0));
            }

            // The last LF-framed line ends with the connection (as rsyslog's omfwd leaves it).
            await client.Stream.WriteAsync(SequencedMessages.Message(1, 6));
            await client.Stream.FlushAsync();
        }

        await Wait.UntilAsync(() => collector.ReadLines().Length >= 7, "7 lines");
        Assert.Equal(Enumerable.Range(0, 7).Select(seq => SequencedMessages.ExpectedLine(1, seq)), collector.ReadLines());
        Assert.Equal(3, await collector.MetricAsync("kubesyslog_collector_received_messages_total{transport=\"tls\",framing=\"octet-counted\"}"));
        Assert.Equal(4, await collector.MetricAsync("kubesyslog_collector_received_messages_total{transport=\"tls\",framing=\"lf\"}"));
        Assert.Equal(1, await collector.MetricAsync("kubesyslog_collector_tls_handshakes_total"));
    }

    [PeerFact("openssl")]
    public async Task ANewPairServesNewConnectionsWhileAnOpenOneKeepsSending()
    {
        using var dir = TempDirectory.Create();
        var pki = await OpensslPki.CreateAsync(dir);
        string cert = dir.Combine("tls.crt"), key = dir.Combine("tls.key");
        File.Copy(pki.Server.Certificate, cert);
        File.Copy(pki.Server.Key, key);
        await using var collector = await RunningCollector.StartAsync(
            dir, "--tls", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key, "--tls-reload-interval", "100ms");
        var endPoint = TlsTestClient.TlsEndPoint(collector);
        await using var open = await TlsTestClient.ConnectAsync(endPoint, pki);
        await open.Stream.WriteAsync(SequencedMessages.Frame(1, 0, octetCounted: true));
        string first = open.Stream.RemoteCertificate!.GetCertHashString();

        // Each line stored before the next is sent: two connections' lines have no order of their own.
        await Wait.UntilAsync(() => collector.ReadLines().Length >= 1, "the first line");

        // cert-manager's rotation as the kubelet writes a Secret volume: new files, then one rename over the old.
        var rotated = await pki.ClientAsync("rotated", OpensslPki.ServerName);
        File.Copy(rotated.Certificate, cert + ".new");
        File.Copy(rotated.Key, key + ".new");
        File.Move(key + ".new", key, overwrite: true);
        File.Move(cert + ".new", cert, overwrite: true);
        await Wait.UntilAsync(() => collector.MetricAsync("kubesyslog_collector_tls_certificate_reloads_total").Result == 1, "the reload");

        await using (var fresh = await TlsTestClient.ConnectAsync(endPoint, pki))
        {
            string second = fresh.Stream.RemoteCertificate!.GetCertHashString();
            Assert.NotEqual(first, second);
            Assert.Equal(Hash(rotated.Certificate), second);
            await fresh.Stream.WriteAsync(SequencedMessages.Frame(2, 0, octetCounted: true));
        }

        await Wait.UntilAsync(() => collector.ReadLines().Length >= 2, "the new connection's line");
        await open.Stream.WriteAsync(SequencedMessages.Frame(1, 1, octetCounted: true));
        await Wait.UntilAsync(() => collector.ReadLines().Length >= 3, "3 lines");
        Assert.Equal(
            [SequencedMessages.ExpectedLine(1, 0), SequencedMessages.ExpectedLine(2, 0), SequencedMessages.ExpectedLine(1, 1)],
            collector.ReadLines());
    }

    [PeerFact("openssl")]
    public async Task ABadNewPairIsRefusedOnceAndTheOldOneKeepsServing()
    {
        using var dir = TempDirectory.Create();
        var pki = await OpensslPki.CreateAsync(dir);
        string cert = dir.Combine("tls.crt"), key = dir.Combine("tls.key");
        File.Copy(pki.Server.Certificate, cert);
        File.Copy(pki.Server.Key, key);
        await using var collector = await RunningCollector.StartAsync(
            dir, "--tls", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key, "--tls-reload-interval", "100ms");

        // A key that belongs to another certificate.
        var other = await pki.ClientAsync("other", "other.test");
        File.Copy(other.Key, key, overwrite: true);
        await Wait.UntilAsync(() => collector.MetricAsync("kubesyslog_collector_tls_certificate_reload_failures_total").Result == 1, "the refusal");

        await using (var client = await TlsTestClient.ConnectAsync(TlsTestClient.TlsEndPoint(collector), pki))
        {
            Assert.Equal(Hash(pki.Server.Certificate), client.Stream.RemoteCertificate!.GetCertHashString());
            await client.Stream.WriteAsync(SequencedMessages.Frame(1, 0, octetCounted: true));
        }

        await Wait.UntilAsync(() => collector.ReadLines().Length >= 1, "the line");
        Assert.Equal([SequencedMessages.ExpectedLine(1, 0)], collector.ReadLines());

        // Refused once for that content, not at every check (several have passed since).
        Assert.Equal(0, await collector.MetricAsync("kubesyslog_collector_tls_certificate_reloads_total"));
        Assert.Equal(1, await collector.MetricAsync("kubesyslog_collector_tls_certificate_reload_failures_total"));

        // The right key arrives: taken.
        File.Copy(other.Certificate, cert, overwrite: true);
        await Wait.UntilAsync(() => collector.MetricAsync("kubesyslog_collector_tls_certificate_reloads_total").Result == 1, "the reload");
    }

    [PeerFact("openssl")]
    public async Task ATlsListenerWithAKeyThatDoesNotLoadIsAConfigurationError()
    {
        using var dir = TempDirectory.Create();
        var pki = await OpensslPki.CreateAsync(dir);
        string key = dir.Combine("bad.key");
        File.WriteAllText(key, "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n");
        var app = CollectorApp.Build(
            ["--tls", "127.0.0.1:0", "--tls-cert", pki.Server.Certificate, "--tls-key", key, "--file", dir.Combine("m")],
            out var errors);
        Assert.Null(app);
        var error = Assert.Single(errors);
        Assert.StartsWith(
            "Collector:TlsCert and Collector:TlsKey must be a PEM certificate valid now and its private key", error, StringComparison.Ordinal);
        Assert.Contains("bad.key", error, StringComparison.Ordinal);
    }

    private static string Hash(string pemFile) => X509Certificate2.CreateFromPem(File.ReadAllText(pemFile)).GetCertHashString();
}
