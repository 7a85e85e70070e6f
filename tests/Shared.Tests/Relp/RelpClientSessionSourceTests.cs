using System.Text;
using Shared.Relp;
using TestSupport;

namespace Shared.Tests.Relp;

/// <summary>
/// <see cref="RelpClientSession.SendSyslogAsync(IRelpMessageSource, CancellationToken)"/>: the batched send the
/// Forwarder uses, a window of frames per lock and per write.
/// </summary>
public class RelpClientSessionSourceTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static string Text(int i) => $"<13>1 - host app - - - message {i}";

    private static async Task<(ScriptedRelpServer Server, RelpClientSession Session, List<object?> Acks)> OpenAsync(int window)
    {
        var server = new ScriptedRelpServer();
        var stream = await server.ConnectClientAsync();
        var acks = new List<object?>();
        var options = new RelpClientOptions { WindowSize = window, Acknowledged = a => { lock (acks) { acks.Add(a.State); } } };
        var opening = RelpClientSession.OpenAsync(stream, options);
        await server.AcceptOpenAsync();
        return (server, await opening.WaitAsync(Patience), acks);
    }

    private static async Task ExpectFramesAsync(ScriptedRelpServer server, int firstTxnr, int firstMessage, int count)
    {
        for (int i = 0; i < count; i++)
        {
            Assert.Equal($"{firstTxnr + i} syslog {Text(firstMessage + i)}", await server.ReadFrameAsync());
        }
    }

    [Fact]
    public async Task TakesAMessageOnlyWhenTheWindowHasRoomAndSendsThemAllInOrder()
    {
        var (server, session, acks) = await OpenAsync(window: 3);
        await using var _ = server;
        await using var __ = session;
        var source = new CountingSource(7);

        var sending = session.SendSyslogAsync(source).AsTask();
        await ExpectFramesAsync(server, firstTxnr: 2, firstMessage: 0, count: 3);
        Assert.Equal(3, source.Taken);
        Assert.False(sending.IsCompleted);

        await server.SendAsync("2 rsp 6 200 OK\n3 rsp 6 200 OK\n");
        await ExpectFramesAsync(server, firstTxnr: 5, firstMessage: 3, count: 2);
        Assert.Equal(5, source.Taken);
        Assert.Equal(3, session.Unacknowledged);

        await server.SendAsync("4 rsp 6 200 OK\n5 rsp 6 200 OK\n6 rsp 6 200 OK\n");
        await ExpectFramesAsync(server, firstTxnr: 7, firstMessage: 5, count: 2);
        await sending.WaitAsync(Patience);
        await server.SendAsync("7 rsp 6 200 OK\n8 rsp 6 200 OK\n");
        await Wait.UntilAsync(() => session.Unacknowledged == 0, "every answer");

        lock (acks)
        {
            Assert.Equal(Enumerable.Range(0, 7).Cast<object?>(), acks);
        }
    }

    [Fact]
    public async Task ASourceThatEndsAsTheWindowFillsReturnsWithoutWaitingForAnswers()
    {
        var (server, session, _) = await OpenAsync(window: 2);
        await using var _s = server;
        await using var __ = session;

        await session.SendSyslogAsync(new CountingSource(2)).AsTask().WaitAsync(Patience);

        await ExpectFramesAsync(server, firstTxnr: 2, firstMessage: 0, count: 2);
        Assert.Equal(2, session.Unacknowledged);
    }

    [Fact]
    public async Task WhenTheSessionBreaksWhatWasTakenAndNotAnsweredComesBackInOrderAndTheRestWasNeverTaken()
    {
        var (server, session, acks) = await OpenAsync(window: 4);
        await using var _ = server;
        await using var __ = session;
        var source = new CountingSource(10);

        var sending = session.SendSyslogAsync(source).AsTask();
        await ExpectFramesAsync(server, firstTxnr: 2, firstMessage: 0, count: 4);
        await server.AnswerAsync(2, "200 OK");
        await ExpectFramesAsync(server, firstTxnr: 6, firstMessage: 4, count: 1);
        server.Reset();

        await Assert.ThrowsAsync<RelpSessionException>(() => sending.WaitAsync(Patience));
        await Assert.ThrowsAsync<RelpSessionException>(() => session.Completion.WaitAsync(Patience));
        var back = session.TakeUnacknowledged();
        Assert.Equal([1, 2, 3, 4], back.Select(m => m.State));
        Assert.Equal([3, 4, 5, 6], back.Select(m => m.Txnr));
        Assert.Equal(["message 1", "message 2", "message 3", "message 4"], back.Select(m => Encoding.UTF8.GetString(m.Message.Span)[^9..]));
        Assert.Equal(5, source.Taken);
        lock (acks)
        {
            Assert.Equal([0], acks);
        }
    }

    [Fact]
    public async Task AnEmptySourceSendsNothingAndASessionThatEndedRefusesTheSend()
    {
        var (server, session, _) = await OpenAsync(window: 2);
        await using var _s = server;
        await using var __ = session;

        await session.SendSyslogAsync(new CountingSource(0)).AsTask().WaitAsync(Patience);
        Assert.Equal(2, session.NextTxnr);

        server.Reset();
        await Assert.ThrowsAsync<RelpSessionException>(() => session.Completion.WaitAsync(Patience));
        var source = new CountingSource(1);
        await Assert.ThrowsAsync<RelpSessionException>(() => session.SendSyslogAsync(source).AsTask());
        Assert.Equal(0, source.Taken);
    }

    private sealed class CountingSource(int count) : IRelpMessageSource
    {
        private int _taken;

        public int Taken => Volatile.Read(ref _taken);

        public bool HasNext => _taken < count;

        public bool TryTakeNext(out ReadOnlyMemory<byte> message, out object? state, out int tag)
        {
            int i = _taken;
            if (i == count)
            {
                message = default;
                state = null;
                tag = 0;
                return false;
            }

            message = Encoding.UTF8.GetBytes(Text(i));
            state = i;
            tag = i;
            Volatile.Write(ref _taken, i + 1);
            return true;
        }
    }
}
