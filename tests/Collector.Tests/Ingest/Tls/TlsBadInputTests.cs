using System.Net.Sockets;
using System.Security.Authentication;
using TestSupport;

namespace Collector.Tests.Ingest.Tls;

/// <summary>
/// What goes wrong on the wire closes that one connection, is counted by reason, and leaves a client that is already
/// sending alone: its lines before and after are all stored, in order.
/// </summary>
public sealed class TlsBadInputTests
{
    private const string Reasons = "kubesyslog_collector_tls_handshake_failures_total{reason=\"";

    [PeerFact("openssl")]
    public async Task PlainTextToTheTlsPortIsRefusedAndAClientAlreadySendingGoesOn()
    {
        using var dir = TempDirectory.Create();
        var pki = await OpensslPki.CreateAsync(dir);
        await using var collector = await RunningCollector.StartAsync(dir, TlsTestClient.Switches(pki));
        var endPoint = TlsTestClient.TlsEndPoint(collector);
        await using var good = await TlsTestClient.ConnectAsync(endPoint, pki);
        await good.Stream.WriteAsync(SequencedMessages.Frame(1, 0, octetCounted: true));

        using (var plain = new TcpClient())
        {
            await plain.ConnectAsync(endPoint);
            await plain.GetStream().WriteAsync(SequencedMessages.Frame(2, 0, octetCounted: false));
            await RunningCollector.ClosedByCollectorAsync(plain).WaitAsync(Wait.DefaultTimeout);
        }

        await good.Stream.WriteAsync(SequencedMessages.Frame(1, 1, octetCounted: true));
        await Wait.UntilAsync(() => collector.ReadLines().Length >= 2, "the good client's lines");
        Assert.Equal([SequencedMessages.ExpectedLine(1, 0), SequencedMessages.ExpectedLine(1, 1)], collector.ReadLines());
        Assert.Equal(1, await collector.MetricAsync(Reasons + "not_tls\"}"));
    }

    [PeerFact("openssl")]
    public async Task ATlsClientOnThePlainPortIsClosedAndCountedWithoutAGarbageLine()
    {
        using var dir = TempDirectory.Create();
        var pki = await OpensslPki.CreateAsync(dir);
        await using var collector = await RunningCollector.StartAsync(dir, TlsTestClient.Switches(pki));
        using var plain = await collector.ConnectAsync();
        await plain.GetStream().WriteAsync(SequencedMessages.Frame(1, 0, octetCounted: true));

        await Assert.ThrowsAnyAsync<Exception>(
            async () => await (await TlsTestClient.ConnectAsync(collector.Tcp, pki)).DisposeAsync());

        await plain.GetStream().WriteAsync(SequencedMessages.Frame(1, 1, octetCounted: true));
        await Wait.UntilAsync(() => collector.ReadLines().Length >= 2, "the plain client's lines");
        Assert.Equal([SequencedMessages.ExpectedLine(1, 0), SequencedMessages.ExpectedLine(1, 1)], collector.ReadLines());
        Assert.Equal(1, await collector.MetricAsync(Reasons + "tls_on_plain_port\"}"));
        Assert.Equal(0, await collector.MetricAsync("kubesyslog_collector_unparsed_messages_total{transport=\"tcp\"}"));
    }

    [PeerTheory("openssl")]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x16, 0x03, 0x01 })]
    public async Task AStalledHandshakeIsClosedAtTheTimeout(byte[] sent)
    {
        using var dir = TempDirectory.Create();
        var pki = await OpensslPki.CreateAsync(dir);
        await using var collector = await RunningCollector.StartAsync(dir, TlsTestClient.Switches(pki, "--tls-handshake-timeout", "500ms"));
        using var stalled = new TcpClient();
        await stalled.ConnectAsync(TlsTestClient.TlsEndPoint(collector));
        await stalled.GetStream().WriteAsync(sent);

        await RunningCollector.ClosedByCollectorAsync(stalled).WaitAsync(Wait.DefaultTimeout);
        Assert.Equal(1, await collector.MetricAsync(Reasons + "handshake_timeout\"}"));

        // The listener still takes clients.
        await using var good = await TlsTestClient.ConnectAsync(TlsTestClient.TlsEndPoint(collector), pki);
        await good.Stream.WriteAsync(SequencedMessages.Frame(1, 0, octetCounted: true));
        await Wait.UntilAsync(() => collector.ReadLines().Length >= 1, "the line");
        Assert.Equal([SequencedMessages.ExpectedLine(1, 0)], collector.ReadLines());
    }

    [PeerFact("openssl")]
    public async Task ARecordThatDoesNotDecryptMidStreamClosesOnlyThatConnection()
    {
        using var dir = TempDirectory.Create();
        var pki = await OpensslPki.CreateAsync(dir);
        await using var collector = await RunningCollector.StartAsync(dir, TlsTestClient.Switches(pki));
        var endPoint = TlsTestClient.TlsEndPoint(collector);
        await using var other = await TlsTestClient.ConnectAsync(endPoint, pki);
        await using var broken = await TlsTestClient.ConnectAsync(endPoint, pki, protocols: SslProtocols.Tls12);
        await broken.Stream.WriteAsync(SequencedMessages.Frame(2, 0, octetCounted: true));
        await Wait.UntilAsync(() => collector.ReadLines().Length >= 1, "the first line");

        // An application-data record of TLS 1.2 whose 32 bytes are noise: its MAC cannot check out.
        byte[] record = [0x17, 0x03, 0x03, 0x00, 0x20, .. Enumerable.Repeat((byte)0x5A, 32)];
        await broken.Tcp.GetStream().WriteAsync(record);
        await RunningCollector.ClosedByCollectorAsync(broken.Tcp).WaitAsync(Wait.DefaultTimeout);

        await other.Stream.WriteAsync(SequencedMessages.Frame(1, 0, octetCounted: true));
        await Wait.UntilAsync(() => collector.ReadLines().Length >= 2, "the other client's line");
        Assert.Equal([SequencedMessages.ExpectedLine(2, 0), SequencedMessages.ExpectedLine(1, 0)], collector.ReadLines());
        Assert.Equal(1, await collector.MetricAsync("kubesyslog_collector_tls_stream_errors_total"));
    }
}
