using System.Text;
using Shared.Relp;
using TestSupport;

namespace Collector.Tests.Ingest.Tls;

/// <summary>
/// <c>--identity-from-cert</c>: a client whose certificate names <c>node-1.nodes.test</c> may write HOSTNAME
/// <c>node-1</c> or <c>node-1.nodes.test</c> (any case); a message claiming <c>node-2</c> is stored marked with the
/// authenticated peer, or refused, over TCP-TLS and RELP-TLS alike.
/// </summary>
public sealed class TlsIdentityTests
{
    private const string Node = "node-1.nodes.test";
    private const string Mismatches = "kubesyslog_collector_identity_mismatches_total{peer=\"node-1.nodes.test\",action=\"";

    private static readonly byte[] FullName = Encoding.ASCII.GetBytes("<134>1 2026-11-22T10:00:00Z NODE-1.nodes.test app 1 ID - full name");

    [PeerFact("openssl")]
    public async Task OverTcpAMessageClaimingAnotherNodeIsStoredMarkedWithThePeer()
    {
        await using var run = await StartAsync("mark");
        await using (var client = await TlsTestClient.ConnectAsync(TlsTestClient.TlsEndPoint(run.Collector), run.Pki, run.Client))
        {
            await client.Stream.WriteAsync(SequencedMessages.Frame(1, 0, octetCounted: true));
            await client.Stream.WriteAsync(SequencedMessages.Frame(2, 0, octetCounted: true));
            await client.Stream.WriteAsync((byte[])[.. Encoding.ASCII.GetBytes($"{FullName.Length} "), .. FullName]);
            await client.Stream.WriteAsync(SequencedMessages.Frame(1, 1, octetCounted: true));
        }

        await Wait.UntilAsync(() => run.Collector.ReadLines().Length >= 4, "4 lines");
        Assert.Equal(
        [
            SequencedMessages.ExpectedLine(1, 0),
            Marked(SequencedMessages.ExpectedLine(2, 0)),
            "2026-11-22T10:00:00Z NODE-1.nodes.test app[1]: local0.info ID - full name",
            SequencedMessages.ExpectedLine(1, 1),
        ],
            run.Collector.ReadLines());
        Assert.Equal(1, await run.Collector.MetricAsync(Mismatches + "marked\"}"));
    }

    [PeerFact("openssl")]
    public async Task OverTcpAMessageClaimingAnotherNodeIsDroppedWhenRejecting()
    {
        await using var run = await StartAsync("reject");
        await using (var client = await TlsTestClient.ConnectAsync(TlsTestClient.TlsEndPoint(run.Collector), run.Pki, run.Client))
        {
            await client.Stream.WriteAsync(SequencedMessages.Frame(1, 0, octetCounted: true));
            await client.Stream.WriteAsync(SequencedMessages.Frame(2, 0, octetCounted: true));
            await client.Stream.WriteAsync(SequencedMessages.Frame(1, 1, octetCounted: false));
        }

        await Wait.UntilAsync(() => MetricOrZero(run.Collector, Mismatches + "rejected\"}") == 1, "the rejection");
        await Wait.UntilAsync(() => run.Collector.ReadLines().Length >= 2, "2 lines");
        Assert.Equal([SequencedMessages.ExpectedLine(1, 0), SequencedMessages.ExpectedLine(1, 1)], run.Collector.ReadLines());
    }

    [PeerTheory("openssl")]
    [InlineData("mark")]
    [InlineData("reject")]
    public async Task OverRelpTheSpoofedMessageIsMarkedOrAnswered500(string mismatch)
    {
        await using var run = await StartAsync(mismatch);
        var answers = new List<(int Seq, bool Ok)>();
        await using (var client = await TlsTestClient.ConnectAsync(TlsTestClient.RelpTlsEndPoint(run.Collector), run.Pki, run.Client))
        {
            var options = new RelpClientOptions { Acknowledged = ack => answers.Add(((int)ack.State!, ack.IsOk)) };
            await using var session = await RelpClientSession.OpenAsync(client.Stream, options);
            await session.SendSyslogAsync(SequencedMessages.Message(1, 0), 0, flush: false);
            await session.SendSyslogAsync(SequencedMessages.Message(2, 0), 1, flush: false);
            await session.SendSyslogAsync(SequencedMessages.Message(1, 1), 2, flush: true);
            await session.CloseAsync().WaitAsync(Wait.DefaultTimeout);
        }

        bool reject = mismatch == "reject";
        Assert.Equal([(0, true), (1, !reject), (2, true)], answers);
        string[] expected = reject
            ? [SequencedMessages.ExpectedLine(1, 0), SequencedMessages.ExpectedLine(1, 1)]
            : [SequencedMessages.ExpectedLine(1, 0), Marked(SequencedMessages.ExpectedLine(2, 0)), SequencedMessages.ExpectedLine(1, 1)];
        Assert.Equal(expected, run.Collector.ReadLines());
        Assert.Equal(1, await run.Collector.MetricAsync(Mismatches + (reject ? "rejected" : "marked") + "\"}"));
    }

    [PeerFact("openssl")]
    public async Task WithoutClientCertificatesIdentityFromCertIsAConfigurationError()
    {
        using var dir = TempDirectory.Create();
        var pki = await OpensslPki.CreateAsync(dir);
        var app = CollectorApp.Build([.. TlsTestClient.Switches(pki, "--identity-from-cert", "true"), "--file", dir.Combine("m")], out var errors);
        Assert.Null(app);
        Assert.StartsWith("Collector:IdentityFromCert needs client certificates", Assert.Single(errors), StringComparison.Ordinal);
    }

    private static string Marked(string line) =>
        line.Replace(" ID0 - ", $" ID0 [kube-syslog@32473 spoofed=\"true\" peer=\"{Node}\"] ", StringComparison.Ordinal);

    // The series appears with the first mismatch: until then there is nothing to read.
    private static double MetricOrZero(RunningCollector collector, string sample)
    {
        try
        {
            return collector.MetricAsync(sample).GetAwaiter().GetResult();
        }
        catch (InvalidOperationException)
        {
            return 0;
        }
    }

    private static async Task<Run> StartAsync(string mismatch)
    {
        var dir = TempDirectory.Create(mismatch);
        var pki = await OpensslPki.CreateAsync(dir);
        var client = await pki.ClientAsync("node-1", Node);
        var collector = await RunningCollector.StartAsync(
            dir,
            TlsTestClient.Switches(
                pki, "--tls-client-ca", pki.CaCertificate, "--identity-from-cert", "true", "--identity-mismatch", mismatch));
        return new Run(dir, pki, client, collector);
    }

    private sealed record Run(TempDirectory Directory, OpensslPki Pki, OpensslPki.Pair Client, RunningCollector Collector) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Collector.DisposeAsync();
            Directory.Dispose();
        }
    }
}
