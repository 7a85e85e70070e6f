using System.Net;
using System.Net.Sockets;
using TestSupport;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Collector.Tests.Interop;

/// <summary>
/// A real rsyslogd (rsyslog-relp's <c>omrelp</c>, librelp) sends to the Collector's RELP listener: every message is
/// stored, in order; and when the Collector is killed mid-stream and restarted, rsyslog sends again what was not
/// acknowledged, so nothing is lost (duplicates are possible until sources are tracked, issue 15 part 2).
/// </summary>
public sealed class RsyslogRelpTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Delivery = TimeSpan.FromSeconds(60);

    [PeerFact("rsyslogd", "omrelp.so")]
    public async Task EveryMessageOmrelpSendsIsStoredOnceInOrder()
    {
        const int Count = 3000;
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);
        await using var rsyslog = await RsyslogForwarder.StartRelpAsync(dir, collector.Relp!);

        await rsyslog.SendAsync(Enumerable.Range(0, Count).Select(seq => SequencedMessages.Message(1, seq)));
        string sentinel = SequencedMessages.ExpectedLine(1, Count - 1);
        await WaitAsync(() => collector.ReadLines() is [.., var last] && last == sentinel, "the last message in the file", rsyslog);

        Assert.Equal(Enumerable.Range(0, Count).Select(seq => SequencedMessages.ExpectedLine(1, seq)), collector.ReadLines());
        await WaitAsync(
            async () => await collector.MetricAsync("kubesyslog_collector_relp_acknowledged_messages_total") == Count,
            "every message acknowledged",
            rsyslog);
        Assert.Equal(1, await collector.MetricAsync("kubesyslog_collector_relp_sessions_total"));
        Assert.Equal(0, await collector.MetricAsync("kubesyslog_collector_relp_protocol_errors_total"));
    }

    [PeerFact("rsyslogd", "omrelp.so")]
    public async Task ACollectorKilledMidStreamLosesNothingOmrelpSent()
    {
        const int Count = 60_000;
        const int Batch = 5_000;
        using var dir = TempDirectory.Create();
        string file = dir.Combine("messages");
        int port = FreePort();
        string[] relp = ["--relp", $"127.0.0.1:{port}"];
        var collector = await StartAsync(file, relp);
        try
        {
            await using var rsyslog = await RsyslogForwarder.StartRelpAsync(dir, new IPEndPoint(IPAddress.Loopback, port));
            var sending = Task.Run(async () =>
            {
                for (int first = 0; first < Count; first += Batch)
                {
                    await rsyslog.SendAsync(Enumerable.Range(first, Batch).Select(seq => SequencedMessages.Message(1, seq)));
                }
            });

            await WaitAsync(() => RunningCollector.CountLines(file) >= 10_000, "10,000 lines before the kill", rsyslog);
            await collector.KillAsync();
            long atKill = RunningCollector.CountLines(file);
            Assert.True(atKill < Count, $"rsyslog had sent everything ({atKill} lines) before the kill: the test proves nothing");
            await collector.DisposeAsync();

            collector = await StartAsync(file, relp);
            await sending.WaitAsync(Delivery);
            string sentinel = SequencedMessages.ExpectedLine(1, Count - 1);
            await WaitAsync(
                () => RunningCollector.ReadLines(file) is [.., var last] && last == sentinel,
                "the last message after the restart",
                rsyslog);

            var expected = Enumerable.Range(0, Count).Select(seq => SequencedMessages.ExpectedLine(1, seq)).ToList();
            var lines = RunningCollector.ReadLines(file);
            var known = expected.ToHashSet();
            Assert.All(lines, line => Assert.Contains(line, known));

            // Nothing lost, and in order of first arrival: re-sent messages come again, never a new one early.
            Assert.Equal(expected, lines.Distinct());
            output.WriteLine($"killed at {atKill} lines; {lines.Length} lines stored for {Count} messages: {lines.Length - Count} duplicates");
        }
        finally
        {
            await collector.DisposeAsync();
        }
    }

    private static async Task<CollectorProcess> StartAsync(string file, string[] args)
    {
        var collector = await CollectorProcess.StartAsync(file, args);
        await Wait.UntilAsync(() => collector.Relp is not null || collector.HasExited, "the Collector's RELP listener");
        Assert.True(collector.Relp is not null, collector.Output);
        return collector;
    }

    /// <summary>A port free now, for a listener that must come back on the same port after a restart.</summary>
    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static Task WaitAsync(Func<bool> condition, string what, RsyslogForwarder rsyslog) =>
        WaitAsync(() => Task.FromResult(condition()), what, rsyslog);

    private static async Task WaitAsync(Func<Task<bool>> condition, string what, RsyslogForwarder rsyslog)
    {
        long deadline = Environment.TickCount64 + (long)Delivery.TotalMilliseconds;
        while (!await condition())
        {
            if (Environment.TickCount64 > deadline)
            {
                throw new XunitException($"timed out waiting for {what}{Environment.NewLine}rsyslogd said: {rsyslog.Diagnostics}");
            }

            await Task.Delay(50);
        }
    }
}
