using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Collector.Ingest.Tls;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;

namespace Collector.Tests.Ingest.Tls;

/// <summary>
/// <c>--tls-max-handshakes</c>: at most that many handshakes run at once and the rest wait for a slot (gauge
/// <c>tls_handshakes_waiting</c>); a handshake's timeout starts when it gets its slot; a connection that waits longer
/// than <c>--tls-handshake-queue-timeout</c> is closed and counted; clients stalled before their ClientHello take no
/// slot. The stalled clients send a real ClientHello (caught from an <see cref="SslStream"/> client) and then nothing,
/// so the Collector has answered it and waits for the client's next flight while holding the slot.
/// </summary>
public sealed class TlsHandshakeLimitTests
{
    private const string Reasons = "kubesyslog_collector_tls_handshake_failures_total{reason=\"";
    private const string InProgress = "kubesyslog_collector_tls_handshakes_in_progress ";
    private const string Waiting = "kubesyslog_collector_tls_handshakes_waiting ";

    [PeerFact("openssl")]
    public async Task StalledHandshakesBeyondTheCapTimeOutInTurnAndAGoodClientWaitsItsTurnAndGetsIn()
    {
        using var dir = TempDirectory.Create();
        var pki = await OpensslPki.CreateAsync(dir);
        var timeout = TimeSpan.FromSeconds(2);
        await using var collector = await RunningCollector.StartAsync(dir, TlsTestClient.Switches(
            pki, "--tls-max-handshakes", "2", "--tls-handshake-timeout", "2s", "--tls-handshake-queue-timeout", "60s"));
        var endPoint = TlsTestClient.TlsEndPoint(collector);
        byte[] hello = await CaptureClientHelloAsync();
        var clock = Stopwatch.StartNew();

        var holders = new[] { await ConnectAndSendAsync(endPoint, hello), await ConnectAndSendAsync(endPoint, hello) };
        await GaugesAsync(collector, inProgress: 2, waiting: 0);
        var waiters = new[] { await ConnectAndSendAsync(endPoint, hello), await ConnectAndSendAsync(endPoint, hello) };
        await GaugesAsync(collector, inProgress: 2, waiting: 2);
        var closed = holders.Concat(waiters).Select(c => ClosedAtAsync(c, clock)).ToArray();
        var good = TlsTestClient.ConnectAsync(endPoint, pki);
        await GaugesAsync(collector, inProgress: 2, waiting: 3);
        Assert.False(good.IsCompleted, "the good client's handshake finished without a slot");
        Assert.Equal(2, await collector.MetricAsync(InProgress));
        Assert.Equal(3, await collector.MetricAsync(Waiting));

        await using (var client = await good)
        {
            await client.Stream.WriteAsync(SequencedMessages.Frame(1, 0, octetCounted: true));
            await Wait.UntilQuietAsync(collector.LineCount, TimeSpan.FromMilliseconds(300), "the good client's line");
        }

        Assert.Equal([SequencedMessages.ExpectedLine(1, 0)], collector.ReadLines());
        var closedAt = await Task.WhenAll(closed).WaitAsync(Wait.DefaultTimeout);
        // The waiters' timeout ran from their slot, which they got when the holders' ran out: a timeout counted from
        // the accept would have closed them after one timeout, not two. (A lower bound: load only makes it later.)
        var margin = TimeSpan.FromMilliseconds(100);
        Assert.All(closedAt[..2], t => Assert.True(t >= timeout - margin, $"a holder closed after {t}"));
        Assert.All(closedAt[2..], t => Assert.True(t >= (2 * timeout) - margin, $"a waiter closed after {t}"));
        Assert.Equal(4, await collector.MetricAsync(Reasons + "handshake_timeout\"}"));
        Assert.Equal(0, await collector.MetricAsync(Reasons + "handshake_queue_timeout\"}"));
        Assert.Equal(1, await collector.MetricAsync("kubesyslog_collector_tls_handshakes_total"));
        await GaugesAsync(collector, inProgress: 0, waiting: 0);
        Assert.Equal(0, await collector.MetricAsync(Waiting));
        foreach (var c in holders.Concat(waiters))
        {
            c.Dispose();
        }
    }

    [PeerFact("openssl")]
    public async Task AConnectionThatWaitsLongerThanTheQueueTimeoutIsClosedAndCountedAndTheNextOneGetsIn()
    {
        using var dir = TempDirectory.Create();
        var pki = await OpensslPki.CreateAsync(dir);
        await using var collector = await RunningCollector.StartAsync(dir, TlsTestClient.Switches(
            pki, "--tls-max-handshakes", "1", "--tls-handshake-timeout", "120s", "--tls-handshake-queue-timeout", "1s"));
        var endPoint = TlsTestClient.TlsEndPoint(collector);
        byte[] hello = await CaptureClientHelloAsync();

        var holder = await ConnectAndSendAsync(endPoint, hello);
        await GaugesAsync(collector, inProgress: 1, waiting: 0);
        var clock = Stopwatch.StartNew();
        using (var waiter = await ConnectAndSendAsync(endPoint, hello))
        {
            var waited = await ClosedAtAsync(waiter, clock).WaitAsync(Wait.DefaultTimeout);
            Assert.True(waited >= TimeSpan.FromMilliseconds(900), $"closed after {waited}, before the queue timeout");
        }

        Assert.Equal(1, await collector.MetricAsync(Reasons + "handshake_queue_timeout\"}"));
        await GaugesAsync(collector, inProgress: 1, waiting: 0);

        // The holder gives up; its slot goes to the next client.
        holder.Dispose();
        await GaugesAsync(collector, inProgress: 0, waiting: 0);
        await using (var good = await TlsTestClient.ConnectAsync(endPoint, pki))
        {
            await good.Stream.WriteAsync(SequencedMessages.Frame(1, 0, octetCounted: true));
            await Wait.UntilQuietAsync(collector.LineCount, TimeSpan.FromMilliseconds(300), "the good client's line");
        }

        Assert.Equal([SequencedMessages.ExpectedLine(1, 0)], collector.ReadLines());
        Assert.Equal(1, await collector.MetricAsync(Reasons + "handshake_queue_timeout\"}"));
        Assert.Equal(0, await collector.MetricAsync(Reasons + "handshake_timeout\"}"));
        Assert.Equal(1, await collector.MetricAsync(Reasons + "closed_in_handshake\"}"));
    }

    [PeerFact("openssl")]
    public async Task ClientsStalledBeforeTheirClientHelloTakeNoSlot()
    {
        using var dir = TempDirectory.Create();
        var pki = await OpensslPki.CreateAsync(dir);
        await using var collector = await RunningCollector.StartAsync(dir, TlsTestClient.Switches(
            pki, "--tls-max-handshakes", "1", "--tls-handshake-timeout", "120s"));
        var endPoint = TlsTestClient.TlsEndPoint(collector);
        var stalled = new List<TcpClient>();
        foreach (byte[] sent in new[] { Array.Empty<byte>(), [0x16, 0x03, 0x01], [0x16, 0x03, 0x01, 0x02, 0x00, 0x01] })
        {
            stalled.Add(await ConnectAndSendAsync(endPoint, sent));
            stalled.Add(await ConnectAndSendAsync(endPoint, sent));
        }

        await using (var good = await TlsTestClient.ConnectAsync(endPoint, pki))
        {
            await good.Stream.WriteAsync(SequencedMessages.Frame(1, 0, octetCounted: true));
            await Wait.UntilQuietAsync(collector.LineCount, TimeSpan.FromMilliseconds(300), "the good client's line");
        }

        Assert.Equal([SequencedMessages.ExpectedLine(1, 0)], collector.ReadLines());
        Assert.Equal(0, await collector.MetricAsync(Reasons + "handshake_timeout\"}"));
        await GaugesAsync(collector, inProgress: 0, waiting: 0);
        Assert.All(stalled, s => Assert.True(s.Connected));
        stalled.ForEach(s => s.Dispose());
    }

    [PeerFact("openssl")]
    public async Task AClientThatClosesWhileWaitingLeavesTheQueueAtOnce()
    {
        using var dir = TempDirectory.Create();
        var pki = await OpensslPki.CreateAsync(dir);
        await using var collector = await RunningCollector.StartAsync(dir, TlsTestClient.Switches(
            pki, "--tls-max-handshakes", "1", "--tls-handshake-timeout", "120s", "--tls-handshake-queue-timeout", "120s"));
        var endPoint = TlsTestClient.TlsEndPoint(collector);
        byte[] hello = await CaptureClientHelloAsync();
        using var holder = await ConnectAndSendAsync(endPoint, hello);
        await GaugesAsync(collector, inProgress: 1, waiting: 0);

        var waiter = await ConnectAndSendAsync(endPoint, hello);
        await GaugesAsync(collector, inProgress: 1, waiting: 1);
        waiter.Dispose();

        await GaugesAsync(collector, inProgress: 1, waiting: 0);
        Assert.Equal(1, await collector.MetricAsync(Reasons + "closed_in_handshake\"}"));
        Assert.Equal(0, await collector.MetricAsync(Reasons + "handshake_queue_timeout\"}"));
    }

    /// <summary>The first record an <see cref="SslStream"/> client sends, caught on a loopback listener.</summary>
    private static async Task<byte[]> CaptureClientHelloAsync()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
            using var server = await listener.AcceptTcpClientAsync();
            await using var tls = new SslStream(tcp.GetStream());
            var handshake = tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = OpensslPki.ServerName });
            var stream = server.GetStream();
            byte[] header = new byte[5];
            await stream.ReadExactlyAsync(header).AsTask().WaitAsync(Wait.DefaultTimeout);
            Assert.Equal(0x16, header[0]);
            byte[] record = new byte[header.Length + ((header[3] << 8) | header[4])];
            header.CopyTo(record, 0);
            await stream.ReadExactlyAsync(record.AsMemory(header.Length)).AsTask().WaitAsync(Wait.DefaultTimeout);
            server.Client.Close();
            await Assert.ThrowsAnyAsync<Exception>(() => handshake).WaitAsync(Wait.DefaultTimeout);
            return record;
        }
        finally
        {
            listener.Stop();
        }
    }

    private static async Task<TcpClient> ConnectAndSendAsync(IPEndPoint endPoint, byte[] sent)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(endPoint);
        await tcp.GetStream().WriteAsync(sent);
        return tcp;
    }

    private static async Task<TimeSpan> ClosedAtAsync(TcpClient client, Stopwatch clock)
    {
        await RunningCollector.ClosedByCollectorAsync(client);
        return clock.Elapsed;
    }

    private static Task GaugesAsync(RunningCollector collector, long inProgress, long waiting)
    {
        var counters = collector.Services.GetRequiredService<TlsCounters>();
        return Wait.UntilAsync(
            () => counters.HandshakesInProgress == inProgress && counters.HandshakesWaiting == waiting,
            $"{inProgress} handshakes in progress and {waiting} waiting (now {counters.HandshakesInProgress} and " +
            $"{counters.HandshakesWaiting})");
    }
}
