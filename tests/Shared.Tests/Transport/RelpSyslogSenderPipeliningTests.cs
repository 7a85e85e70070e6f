using System.Text;
using Shared.Tests.Relp;
using Shared.Transport;
using TestSupport;
using Answer = TestSupport.LoopbackRelpReceiver.Answer;

namespace Shared.Tests.Transport;

/// <summary>
/// Deliveries posted one after another share the window: the next goes out while the earlier wait for answers.
/// </summary>
public sealed class RelpSyslogSenderPipeliningTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private static List<string> Lines(string prefix, int count) =>
        Enumerable.Range(0, count).Select(i => $"<13>1 - host app - - - {prefix}{i}").ToList();

    private static RelpDelivery Delivery(IEnumerable<string> lines) =>
        new(lines.Select(l => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(l)).ToList());

    private static RelpSyslogSender Sender(int port, int window, TimeSpan? ackTimeout = null) => new(new SyslogSenderOptions
    {
        Host = "127.0.0.1",
        Port = port,
        Protocol = SyslogTransportProtocol.Relp,
        RelpWindowSize = window,
        RelpAckTimeout = ackTimeout ?? TimeSpan.FromSeconds(90),
        ReconnectDelay = TimeSpan.FromMilliseconds(20),
        MaxReconnectDelay = TimeSpan.FromMilliseconds(100),
    });

    private static async Task<List<string>> ReadFramesAsync(ScriptedRelpServer server, int count)
    {
        var frames = new List<string>();
        for (int i = 0; i < count; i++)
        {
            frames.Add((await server.ReadFrameAsync())!);
        }

        return frames;
    }

    private static List<string> Frames(int firstTxnr, IEnumerable<string> lines) => lines.Select((l, i) => $"{firstTxnr + i} syslog {l}").ToList();

    [Fact]
    public async Task TheSecondDeliveryGoesOutBeforeTheFirstIsAnsweredAndEachCompletesWithItsOwnAnswers()
    {
        await using var server = new ScriptedRelpServer();
        await using var sender = Sender(server.Port, window: 16);
        var a = Lines("a", 5);
        var b = Lines("b", 5);
        var first = Delivery(a);
        var second = Delivery(b);

        var posting = sender.PostAsync([first]).AsTask();
        await server.AcceptAsync();
        await server.AcceptOpenAsync();
        await posting.WaitAsync(Patience);
        await sender.PostAsync([first, second]).AsTask().WaitAsync(Patience);

        // Nothing answered yet, and the server has both deliveries' messages, in order (txnr 1 was open).
        Assert.Equal([.. Frames(2, a), .. Frames(7, b)], await ReadFramesAsync(server, 10));
        Assert.False(first.IsComplete);
        Assert.False(second.IsComplete);

        for (int txnr = 2; txnr <= 6; txnr++)
        {
            await server.AnswerAsync(txnr, "200 OK");
        }

        await sender.WaitAsync([first, second]).AsTask().WaitAsync(Patience);
        Assert.True(first.IsComplete);
        Assert.Equal(5, first.Acknowledged);
        Assert.Equal(0, second.Acknowledged);

        // Waiting for the second returns only once its own answers came.
        var waiting = sender.WaitAsync([second]).AsTask();
        for (int txnr = 7; txnr <= 10; txnr++)
        {
            await server.AnswerAsync(txnr, "200 OK");
        }

        await Wait.UntilAsync(() => second.Acknowledged == 4, "four answers to the second delivery");
        Assert.False(waiting.IsCompleted);
        await server.AnswerAsync(11, "200 OK");
        await waiting.WaitAsync(Patience);
        Assert.Equal(5, second.Acknowledged);
        Assert.Equal(10, sender.Counters.MessagesSent);
    }

    [Fact]
    public async Task APostWaitsWhenTheWindowIsFullAcrossDeliveries()
    {
        await using var server = new ScriptedRelpServer();
        await using var sender = Sender(server.Port, window: 4);
        var a = Lines("a", 3);
        var b = Lines("b", 3);
        var first = Delivery(a);
        var second = Delivery(b);

        var posting = sender.PostAsync([first]).AsTask();
        await server.AcceptAsync();
        await server.AcceptOpenAsync();
        await posting.WaitAsync(Patience);
        var blocked = sender.PostAsync([first, second]).AsTask();

        // Three of the first and one of the second fill the window of 4; the rest waits for answers.
        Assert.Equal([.. Frames(2, a), .. Frames(5, b[..1])], await ReadFramesAsync(server, 4));
        await Task.Delay(200);
        Assert.False(blocked.IsCompleted);

        await server.AnswerAsync(2, "200 OK");
        Assert.Equal(Frames(6, b[1..2]), await ReadFramesAsync(server, 1));
        Assert.False(blocked.IsCompleted);
        await server.AnswerAsync(3, "200 OK");
        Assert.Equal(Frames(7, b[2..]), await ReadFramesAsync(server, 1));
        await blocked.WaitAsync(Patience);
    }

    [Fact]
    public async Task AfterABrokenSessionExactlyTheUnansweredOfEveryDeliveryAreSentAgainOldestFirst()
    {
        await using var receiver = LoopbackRelpReceiver.Start();
        var a = Lines("a", 10);
        var b = Lines("b", 10);
        var c = Lines("c", 3);
        var unanswered = new HashSet<string> { a[3], b[6] };
        bool broken = false;
        receiver.Rule = (m, _) =>
        {
            if (m == c[0] && !broken)
            {
                broken = true;
                return Answer.Reset;
            }

            return receiver.Connections.Count == 1 && unanswered.Contains(m) ? Answer.Silent : Answer.Ok;
        };
        await using var sender = Sender(receiver.Port, window: 64);
        var first = Delivery(a);
        var second = Delivery(b);
        var third = Delivery(c);

        await sender.PostAsync([first]).AsTask().WaitAsync(Patience);
        await sender.PostAsync([first, second]).AsTask().WaitAsync(Patience);
        await Wait.UntilAsync(() => receiver.Acknowledged.Count == 18, "every message of the first two but a3 and b6 acknowledged");

        // Read by the sender too: a reset throws away answers still unread in the socket, and those would be owed.
        await Wait.UntilAsync(() => first.Acknowledged == 9 && second.Acknowledged == 9, "the sender to read the 18 answers");
        Assert.False(first.IsComplete);
        Assert.False(second.IsComplete);

        // The third breaks the session at its first message, so no answer of it can be lost with the reset: a3, b6
        // and all of c are owed, and go out again in that order.
        await sender.PostAsync([first, second, third]).AsTask().WaitAsync(Patience);
        await sender.WaitAsync([first, second, third]).AsTask().WaitAsync(Patience);
        await sender.WaitAsync([second, third]).AsTask().WaitAsync(Patience);
        await sender.WaitAsync([third]).AsTask().WaitAsync(Patience);
        await Wait.UntilQuietAsync(() => receiver.Received.Count, TimeSpan.FromMilliseconds(300), "the receiver");

        var connections = receiver.Connections;
        Assert.Equal(2, connections.Count);
        Assert.Equal([.. a, .. b, c[0]], connections[0]);
        Assert.Equal([a[3], b[6], .. c], connections[1]);
        Assert.Equal([.. a.Where(m => m != a[3]), .. b.Where(m => m != b[6]), a[3], b[6], .. c], receiver.Acknowledged);
        Assert.Equal((10, 10, 3), (first.Acknowledged, second.Acknowledged, third.Acknowledged));

        // c1 and c2 were on the broken session too (written with c0, never read by the receiver).
        Assert.Equal(5, sender.Counters.Resent);
        Assert.Equal(1, sender.Counters.Reconnects);
    }

    [Fact]
    public async Task WaitingForAnAnswerThatNeverComesGivesUpTheSessionAndSendsOnlyThatMessageAgain()
    {
        await using var receiver = LoopbackRelpReceiver.Start();
        var a = Lines("a", 6);
        var b = Lines("b", 6);
        receiver.Rule = (m, _) => receiver.Connections.Count == 1 && m == a[2] ? Answer.Silent : Answer.Ok;
        await using var sender = Sender(receiver.Port, window: 32, ackTimeout: TimeSpan.FromMilliseconds(300));
        var first = Delivery(a);
        var second = Delivery(b);

        await sender.PostAsync([first]).AsTask().WaitAsync(Patience);
        await sender.PostAsync([first, second]).AsTask().WaitAsync(Patience);
        await sender.WaitAsync([first, second]).AsTask().WaitAsync(Patience);

        Assert.True(first.IsComplete);
        Assert.True(second.IsComplete);
        await Wait.UntilQuietAsync(() => receiver.Received.Count, TimeSpan.FromMilliseconds(300), "the receiver");
        var connections = receiver.Connections;
        Assert.Equal(2, connections.Count);
        Assert.Equal([.. a, .. b], connections[0]);
        Assert.Equal([a[2]], connections[1]);
    }
}
