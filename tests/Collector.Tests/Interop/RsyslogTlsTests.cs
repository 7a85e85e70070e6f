using TestSupport;
using Xunit.Sdk;

namespace Collector.Tests.Interop;

/// <summary>
/// A real rsyslogd forwards to the Collector's <c>--tls</c> listener with <c>omfwd</c> over TLS, through both of its
/// TLS drivers (GnuTLS <c>gtls</c>, OpenSSL <c>ossl</c>) and in the three modes operators use: the exact list of
/// messages arrives, in order. In the x509 modes each side checks the other: rsyslog checks the Collector's
/// certificate (and in <c>x509/name</c> its name), the Collector checks rsyslog's client certificate.
/// </summary>
public sealed class RsyslogTlsTests
{
    private const int Count = 300;
    private const string Node = "node-1.nodes.test";

    [RsyslogDriverTheory("gtls")]
    [InlineData("anon", null)]
    [InlineData("x509/certvalid", "octet-counted")]
    [InlineData("x509/name", null)]
    public Task EveryMessageRsyslogSendsWithGnuTlsIsStoredOnceInOrder(string mode, string? framing) => ForwardAsync("gtls", mode, framing);

    [RsyslogDriverTheory("ossl")]
    [InlineData("anon", "octet-counted")]
    [InlineData("x509/certvalid", null)]
    [InlineData("x509/name", "octet-counted")]
    public Task EveryMessageRsyslogSendsWithOpenSslIsStoredOnceInOrder(string mode, string? framing) => ForwardAsync("ossl", mode, framing);

    [RsyslogDriverTheory("gtls")]
    [InlineData("gtls")]
    public Task AnRsyslogWithAnUntrustedCertificateStoresNothingWithGnuTls(string driver) => UntrustedAsync(driver);

    [RsyslogDriverTheory("ossl")]
    [InlineData("ossl")]
    public Task AnRsyslogWithAnUntrustedCertificateStoresNothingWithOpenSsl(string driver) => UntrustedAsync(driver);

    private static async Task ForwardAsync(string driver, string mode, string? framing)
    {
        using var dir = TempDirectory.Create($"rsyslog-{driver}-{mode.Replace('/', '-')}");
        var pki = await OpensslPki.CreateAsync(dir);
        var client = await pki.ClientAsync("rsyslog-client", Node);
        string[] auth = mode switch
        {
            "anon" => ["--tls-client-auth", "none"],
            "x509/certvalid" => ["--tls-client-ca", pki.CaCertificate],
            _ => ["--tls-client-auth", "name", "--tls-client-ca", pki.CaCertificate, "--tls-permitted-peer", "*.nodes.test"],
        };
        await using var collector = await RunningCollector.StartAsync(
            dir, ["--tls", "127.0.0.1:0", "--tls-cert", pki.Server.Certificate, "--tls-key", pki.Server.Key, .. auth]);
        var endPoint = Ingest.Tls.TlsTestClient.TlsEndPoint(collector);
        await using var rsyslog = await RsyslogForwarder.StartTlsAsync(
            dir, endPoint, driver, mode, pki.CaCertificate, mode == "anon" ? null : client, OpensslPki.ServerName, framing);

        await rsyslog.SendAsync(Enumerable.Range(0, Count).Select(seq => SequencedMessages.Message(1, seq)));
        try
        {
            await collector.WaitForLinesAsync(Count, TimeSpan.FromSeconds(30));
        }
        catch (XunitException e)
        {
            throw new XunitException($"{e.Message}{Environment.NewLine}rsyslogd said: {rsyslog.Diagnostics}");
        }

        Assert.Equal(Enumerable.Range(0, Count).Select(seq => SequencedMessages.ExpectedLine(1, seq)), collector.ReadLines());
        Assert.Equal(
            Count,
            await collector.MetricAsync(
                $"kubesyslog_collector_received_messages_total{{transport=\"tls\",framing=\"{framing ?? "lf"}\"}}"));
        Assert.True(await collector.MetricAsync("kubesyslog_collector_tls_handshakes_total") >= 1);
    }

    private static async Task UntrustedAsync(string driver)
    {
        using var dir = TempDirectory.Create($"rsyslog-untrusted-{driver}");
        var pki = await OpensslPki.CreateAsync(dir);
        var untrusted = await pki.UntrustedClientAsync("stranger", Node);
        await using var collector = await RunningCollector.StartAsync(
            dir, "--tls", "127.0.0.1:0", "--tls-cert", pki.Server.Certificate, "--tls-key", pki.Server.Key, "--tls-client-ca", pki.CaCertificate);
        await using var rsyslog = await RsyslogForwarder.StartTlsAsync(
            dir, Ingest.Tls.TlsTestClient.TlsEndPoint(collector), driver, "x509/certvalid", pki.CaCertificate, untrusted, OpensslPki.ServerName);

        await rsyslog.SendAsync(Enumerable.Range(0, 3).Select(seq => SequencedMessages.Message(1, seq)));
        await Wait.UntilAsync(
            () => collector.MetricAsync("kubesyslog_collector_tls_handshake_failures_total{reason=\"untrusted\"}").Result >= 1,
            "the refusal of rsyslog's certificate");
        Assert.Empty(collector.ReadLines());
        Assert.Equal(0, await collector.MetricAsync("kubesyslog_collector_tls_handshakes_total"));
    }
}

/// <summary>
/// A theory that needs rsyslogd, openssl and rsyslog's <c>driver</c> module (<c>lmnsd_DRIVER.so</c>, from
/// rsyslog-gnutls or rsyslog-openssl): skipped with the package to install when one is missing, failed under
/// REQUIRE_PEERS=1.
/// </summary>
public sealed class RsyslogDriverTheoryAttribute : TheoryAttribute
{
    public RsyslogDriverTheoryAttribute(string driver)
    {
        string module = $"lmnsd_{driver}.so";
        bool present = new[] { "/usr/lib/x86_64-linux-gnu/rsyslog", "/usr/lib/aarch64-linux-gnu/rsyslog", "/usr/lib/rsyslog", "/usr/lib64/rsyslog" }
            .Any(d => File.Exists(Path.Combine(d, module)));
        Skip = Peers.SkipReason("rsyslogd", "openssl") ?? (present || Peers.Required
            ? null
            : $"needs rsyslog's {driver} driver ({module}): apt-get install {(driver == "gtls" ? "rsyslog-gnutls" : "rsyslog-openssl")}; " +
                "set REQUIRE_PEERS=1 to fail instead of skipping");
    }
}
