using System.Net.Sockets;
using System.Text;
using Shared.Relp;
using TestSupport;
using static Collector.Tests.Sources.OriginClient;

namespace Collector.Tests.Sources;

/// <summary>
/// Re-sends over RELP: a Forwarder that crashed after the Collector wrote its lines (but before it saved its offsets)
/// sends them again on a new session. They must be answered <c>200 OK</c> (else the sender retries forever) and not
/// stored twice, also when a whole run of commands is nothing but re-sends.
/// </summary>
public sealed class RelpOriginTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ReSentMessagesAreAnsweredOkAndStoredOnceEvenWhenARunHoldsNothingElse()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);

        var first = await SendAsync(collector, [("one", 0, 10), ("two", 10, 20), ("three", 20, 30)]);
        Assert.Equal([true, true, true], first);

        // Only re-sends: the run gets no line of its own, and its answers must still come (after what was queued
        // before).
        var again = await SendAsync(collector, [("two", 10, 20), ("three", 20, 30)]);
        Assert.Equal([true, true], again);

        var mixed = await SendAsync(collector, [("three", 20, 30), ("four", 30, 40)]);
        Assert.Equal([true, true], mixed);

        var stored = await SendAndReadAsync(collector);
        Assert.Equal(["one", "two", "three", "four", stored[^1]], stored);
        Assert.Equal(3, await collector.MetricAsync("kubesyslog_collector_source_duplicates_total"));
        Assert.Equal(7, await collector.MetricAsync("kubesyslog_collector_relp_acknowledged_messages_total"));
    }

    /// <summary>
    /// One RELP session: sends every message in one go (one run), closes, and returns whether each was answered OK, in
    /// order.
    /// </summary>
    private static async Task<List<bool>> SendAsync(RunningCollector collector, (string Text, long From, long To)[] messages)
    {
        var answers = new List<bool>();
        var options = new RelpClientOptions { Acknowledged = ack => answers.Add(ack.IsOk) };
        using var client = new TcpClient();
        await client.ConnectAsync(collector.Relp!);
        await using var session = await RelpClientSession.OpenAsync(client.GetStream(), options);
        foreach (var (text, from, to) in messages)
        {
            await session.SendSyslogAsync(Encoding.UTF8.GetBytes(Message(text, Origin(SourceA, from, to))), flush: false);
        }

        await session.FlushAsync();
        await session.CloseAsync().WaitAsync(Patience);
        return answers;
    }
}
