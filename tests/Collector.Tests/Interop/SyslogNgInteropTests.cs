using TestSupport;
using Xunit.Sdk;

namespace Collector.Tests.Interop;

/// <summary>
/// A real syslog-ng (the Debian package, unpacked privately: it conflicts with rsyslog) forwards with its
/// <c>syslog()</c> destination, RFC 5424 octet-counted, to the Collector: over <c>transport("tls")</c> to
/// <c>--tls</c>, checking the Collector's certificate against the test CA and sending its own when the Collector
/// requires one, and over plain <c>transport("tcp")</c> to <c>--tcp</c>. The exact list of lines arrives, in order.
/// </summary>
public sealed class SyslogNgInteropTests
{
    private const int Count = 200;

    [SyslogNgFact]
    public async Task EveryMessageSyslogNgSendsOverTlsWithAClientCertificateIsStoredOnceInOrder()
    {
        using var dir = TempDirectory.Create();
        var pki = await OpensslPki.CreateAsync(dir);
        var client = await pki.ClientAsync("syslog-ng-client", "node-1.nodes.test");
        await using var collector = await RunningCollector.StartAsync(
            dir, "--tls", "127.0.0.1:0", "--tls-cert", pki.Server.Certificate, "--tls-key", pki.Server.Key, "--tls-client-ca", pki.CaCertificate);
        var endPoint = Ingest.Tls.TlsTestClient.TlsEndPoint(collector);
        await using var syslogNg = await SyslogNgProcess.StartAsync(dir, Messages(), endPoint, Tls(pki, client));

        await DeliveredAsync(collector, syslogNg);
        Assert.Equal(Count, await collector.MetricAsync("kubesyslog_collector_received_messages_total{transport=\"tls\",framing=\"octet-counted\"}"));
        Assert.True(await collector.MetricAsync("kubesyslog_collector_tls_handshakes_total") >= 1);
    }

    [SyslogNgFact]
    public async Task ASyslogNgWithoutAClientCertificateIsRefusedWhereOneIsRequiredAndStoresNothing()
    {
        using var dir = TempDirectory.Create();
        var pki = await OpensslPki.CreateAsync(dir);
        await using var collector = await RunningCollector.StartAsync(
            dir, "--tls", "127.0.0.1:0", "--tls-cert", pki.Server.Certificate, "--tls-key", pki.Server.Key, "--tls-client-ca", pki.CaCertificate);
        await using var syslogNg = await SyslogNgProcess.StartAsync(
            dir, Messages(), Ingest.Tls.TlsTestClient.TlsEndPoint(collector), Tls(pki, client: null));

        // With TLS 1.3 syslog-ng sees its handshake done and learns of the refusal (an alert) only when it next
        // reads or writes, so the number of attempts in a given time is not fixed: one refusal, then nothing stored
        // meanwhile.
        await Wait.UntilAsync(
            () => collector.MetricAsync("kubesyslog_collector_tls_handshake_failures_total{reason=\"no_client_certificate\"}").Result >= 1,
            "the refusal of syslog-ng without a certificate");
        await Wait.UntilQuietAsync(() => collector.ReadLines().Length, TimeSpan.FromSeconds(2), "the messages file");
        Assert.Empty(collector.ReadLines());
        Assert.Equal(0, await collector.MetricAsync("kubesyslog_collector_tls_handshakes_total"));
        Assert.False(syslogNg.HasExited, syslogNg.Diagnostics);
    }

    [SyslogNgFact]
    public async Task WithoutClientAuthenticationSyslogNgNeedsNoCertificateOfItsOwn()
    {
        using var dir = TempDirectory.Create();
        var pki = await OpensslPki.CreateAsync(dir);
        await using var collector = await RunningCollector.StartAsync(
            dir, "--tls", "127.0.0.1:0", "--tls-cert", pki.Server.Certificate, "--tls-key", pki.Server.Key, "--tls-client-auth", "none");
        await using var syslogNg = await SyslogNgProcess.StartAsync(
            dir, Messages(), Ingest.Tls.TlsTestClient.TlsEndPoint(collector), Tls(pki, client: null));

        await DeliveredAsync(collector, syslogNg);
    }

    [SyslogNgFact]
    public async Task EveryMessageSyslogNgSendsOverPlainTcpIsStoredOnceInOrder()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);
        await using var syslogNg = await SyslogNgProcess.StartAsync(dir, Messages(), collector.Tcp, "transport(\"tcp\")");

        await DeliveredAsync(collector, syslogNg);
        Assert.Equal(Count, await collector.MetricAsync("kubesyslog_collector_received_messages_total{transport=\"tcp\",framing=\"octet-counted\"}"));
    }

    private static IEnumerable<byte[]> Messages() => Enumerable.Range(0, Count).Select(seq => SequencedMessages.Message(1, seq));

    /// <summary>
    /// syslog-ng's TLS options: the server's certificate must chain to the test CA (and carry the target's name,
    /// 127.0.0.1 here, which the server certificate has as an IP SAN); the client pair when given.
    /// </summary>
    private static string Tls(OpensslPki pki, OpensslPki.Pair? client) =>
        $"transport(\"tls\") tls(ca-file(\"{pki.CaCertificate}\") peer-verify(required-trusted)" +
        (client is null ? string.Empty : $" cert-file(\"{client.Certificate}\") key-file(\"{client.Key}\")") + ")";

    private static async Task DeliveredAsync(RunningCollector collector, SyslogNgProcess syslogNg)
    {
        try
        {
            await collector.WaitForLinesThenQuietAsync(Count, TimeSpan.FromSeconds(30));
        }
        catch (XunitException e)
        {
            throw new XunitException($"{e.Message}{Environment.NewLine}syslog-ng said: {syslogNg.Diagnostics}");
        }

        Assert.Equal(Enumerable.Range(0, Count).Select(ExpectedLine), collector.ReadLines());
    }

    /// <summary>
    /// The line the Collector stores for message <paramref name="seq"/> as syslog-ng forwards it: syslog-ng adds its
    /// own SD element <c>[meta sequenceId="N"]</c> (N counting from 1 per destination) where the message had none.
    /// So the stored ids also show that syslog-ng sent each message once, none skipped.
    /// </summary>
    private static string ExpectedLine(int seq) =>
        SequencedMessages.ExpectedLine(1, seq)
            .Replace($" ID{seq % 10} - ", $" ID{seq % 10} [meta sequenceId=\"{seq + 1}\"] ", StringComparison.Ordinal);
}
