using System.Text;
using Shared.Relp;
using TestSupport;

namespace Shared.Tests.Relp;

public class RelpClientSessionTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static ReadOnlyMemory<byte> Message(int i) => Encoding.UTF8.GetBytes($"<13>1 - host app - - - message {i}");

    private static async Task<(ScriptedRelpServer Server, RelpClientSession Session, List<RelpAcknowledgement> Acks)> OpenAsync(
        int window = RelpClientOptions.DefaultWindowSize,
        int firstTxnr = 1)
    {
        var server = new ScriptedRelpServer();
        var stream = await server.ConnectClientAsync();
        var acks = new List<RelpAcknowledgement>();
        var options = new RelpClientOptions { WindowSize = window, Acknowledged = a => { lock (acks) { acks.Add(a); } } };
        var opening = RelpClientSession.OpenAsync(stream, options, firstTxnr, CancellationToken.None);
        if (firstTxnr == 1)
        {
            await server.AcceptOpenAsync();
        }
        else
        {
            string open = (await server.ReadFrameAsync())!;
            await server.AnswerAsync(firstTxnr, "200 OK\nrelp_version=0\ncommands=syslog");
            Assert.StartsWith($"{firstTxnr} open ", open);
        }

        return (server, await opening.WaitAsync(Patience), acks);
    }

    private static List<object?> States(List<RelpAcknowledgement> acks)
    {
        lock (acks)
        {
            return acks.Select(a => a.State).ToList();
        }
    }

    [Fact]
    public async Task OpensWithOurOffersAndReadsTheServersAnswer()
    {
        await using var server = new ScriptedRelpServer();
        var opening = RelpClientSession.OpenAsync(await server.ConnectClientAsync(), new RelpClientOptions());

        string open = await server.AcceptOpenAsync();
        await using var session = await opening.WaitAsync(Patience);

        Assert.Matches("^1 open relp_version=0\nrelp_software=kube-syslog,[^\n]+\ncommands=syslog$", open);
        Assert.Equal(["librelp", "1.11.0", "http://librelp.adiscon.com"], session.ServerOffers.Software);
        Assert.Equal(2, session.NextTxnr);
    }

    [Fact]
    public async Task MatchesEachAnswerToItsCommandAndReportsThemInOrder()
    {
        var (server, session, acks) = await OpenAsync();
        await using var _ = server;
        await using var __ = session;

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(i + 2, await session.SendSyslogAsync(Message(i), state: $"pos{i}"));
        }

        Assert.Equal("2 syslog <13>1 - host app - - - message 0", await server.ReadFrameAsync());
        Assert.Equal("3 syslog <13>1 - host app - - - message 1", await server.ReadFrameAsync());
        Assert.Equal("4 syslog <13>1 - host app - - - message 2", await server.ReadFrameAsync());
        await server.SendAsync("2 rsp 6 200 OK\n3 rsp 6 200 OK\n");
        await Wait.UntilAsync(() => session.Unacknowledged == 1, "two answers");
        await server.AnswerAsync(4, "200 OK");
        await Wait.UntilAsync(() => session.Unacknowledged == 0, "the third answer");

        Assert.Equal(["pos0", "pos1", "pos2"], States(acks));
        Assert.All(acks, a => Assert.True(a.IsOk));
    }

    [Fact]
    public async Task WaitsWhileTheWindowIsFullAndSendsWhenAnAnswerComes()
    {
        var (server, session, acks) = await OpenAsync(window: 2);
        await using var _ = server;
        await using var __ = session;
        await session.SendSyslogAsync(Message(0), 0);
        await session.SendSyslogAsync(Message(1), 1);

        var third = session.SendSyslogAsync(Message(2), 2).AsTask();
        await Task.Delay(200);
        Assert.False(third.IsCompleted);
        Assert.Equal(2, session.Unacknowledged);

        await server.AnswerAsync(2, "200 OK");
        Assert.Equal(4, await third.WaitAsync(Patience));
        Assert.Equal("2 syslog <13>1 - host app - - - message 0", await server.ReadFrameAsync());
        Assert.Equal("3 syslog <13>1 - host app - - - message 1", await server.ReadFrameAsync());
        Assert.Equal("4 syslog <13>1 - host app - - - message 2", await server.ReadFrameAsync());
        Assert.Equal([0], States(acks));
    }

    [Fact]
    public async Task APeerThatNeverAnswersHoldsAtMostTheWindowAndGetsEveryMessageBackInOrder()
    {
        var (server, session, _) = await OpenAsync();
        await using var _s = server;
        await using var __ = session;
        for (int i = 0; i < RelpClientOptions.DefaultWindowSize; i++)
        {
            await session.SendSyslogAsync(Message(i), i, flush: false);
        }

        using var stop = new CancellationTokenSource();
        var blocked = session.SendSyslogAsync(Message(128), 128, cancellationToken: stop.Token).AsTask();
        for (int i = 0; i < RelpClientOptions.DefaultWindowSize; i++)
        {
            Assert.Equal($"{i + 2} syslog <13>1 - host app - - - message {i}", await server.ReadFrameAsync());
        }

        await Task.Delay(200);
        Assert.False(blocked.IsCompleted);
        Assert.Equal(RelpClientOptions.DefaultWindowSize, session.Unacknowledged);

        server.Reset();
        await Assert.ThrowsAsync<RelpSessionException>(() => blocked.WaitAsync(Patience));
        await Assert.ThrowsAsync<RelpSessionException>(() => session.Completion.WaitAsync(Patience));
        var back = session.TakeUnacknowledged();
        Assert.Equal(Enumerable.Range(0, 128).Cast<object?>(), back.Select(m => m.State));
        Assert.Equal(Enumerable.Range(2, 128), back.Select(m => m.Txnr));
    }

    [Fact]
    public async Task AnErrorAnswerIsReportedAndFreesItsSlot()
    {
        var (server, session, acks) = await OpenAsync(window: 1);
        await using var _ = server;
        await using var __ = session;
        await session.SendSyslogAsync(Message(0), "big");
        await server.ReadFrameAsync();

        await server.AnswerAsync(2, "500 frame too long");
        await session.SendSyslogAsync(Message(1), "next").AsTask().WaitAsync(Patience);

        Assert.Equal("3 syslog <13>1 - host app - - - message 1", await server.ReadFrameAsync());
        var ack = Assert.Single(acks);
        Assert.False(ack.IsOk);
        Assert.Equal("500 frame too long", ack.Response.ToString());
        Assert.False(session.Completion.IsCompleted);
    }

    [Fact]
    public async Task ServerCloseEndsTheSessionAndLeavesTheUnansweredForResending()
    {
        var (server, session, acks) = await OpenAsync();
        await using var _ = server;
        await using var __ = session;
        for (int i = 0; i < 3; i++)
        {
            await session.SendSyslogAsync(Message(i), i);
        }

        await server.SendAsync("2 rsp 6 200 OK\n0 serverclose 0\n");

        var ended = await Assert.ThrowsAsync<RelpSessionException>(() => session.Completion.WaitAsync(Patience));
        Assert.True(ended.ServerClosed);
        Assert.Equal([0], States(acks));
        Assert.Equal([1, 2], session.TakeUnacknowledged().Select(m => m.State));
        await Assert.ThrowsAsync<RelpSessionException>(() => session.SendSyslogAsync(Message(3)).AsTask());
    }

    [Fact]
    public async Task AResetInsideAnAnswerEndsTheSessionWithoutAcknowledgingIt()
    {
        var (server, session, acks) = await OpenAsync();
        await using var _ = server;
        await using var __ = session;
        await session.SendSyslogAsync(Message(0), 0);
        await session.SendSyslogAsync(Message(1), 1);

        await server.SendAsync("2 rsp 6 200 OK\n3 rsp 6 20");
        await Wait.UntilAsync(() => session.Unacknowledged == 1, "the first answer");
        server.Reset();

        await Assert.ThrowsAsync<RelpSessionException>(() => session.Completion.WaitAsync(Patience));
        Assert.Equal([0], States(acks));
        Assert.Equal([1], session.TakeUnacknowledged().Select(m => m.State));
    }

    [Fact]
    public async Task TransactionNumbersWrapFrom999999999ToOne()
    {
        var (server, session, acks) = await OpenAsync(firstTxnr: 999_999_998);
        await using var _ = server;
        await using var __ = session;

        Assert.Equal(999_999_999, await session.SendSyslogAsync(Message(0), 0));
        Assert.Equal(1, await session.SendSyslogAsync(Message(1), 1));
        Assert.Equal(2, await session.SendSyslogAsync(Message(2), 2));

        Assert.StartsWith("999999999 syslog ", await server.ReadFrameAsync());
        Assert.StartsWith("1 syslog ", await server.ReadFrameAsync());
        Assert.StartsWith("2 syslog ", await server.ReadFrameAsync());
        await server.SendAsync("999999999 rsp 6 200 OK\n1 rsp 6 200 OK\n2 rsp 6 200 OK\n");
        await Wait.UntilAsync(() => session.Unacknowledged == 0, "three answers");
        Assert.Equal([999_999_999, 1, 2], acks.Select(a => a.Txnr));
    }

    [Fact]
    public async Task ARefusedOpenThrowsWithTheServersReason()
    {
        await using var server = new ScriptedRelpServer();
        var opening = RelpClientSession.OpenAsync(await server.ConnectClientAsync(), new RelpClientOptions());
        await server.ReadFrameAsync();

        await server.AnswerAsync(1, "500 required command not supported by client");

        var refused = await Assert.ThrowsAsync<RelpSessionException>(() => opening.WaitAsync(Patience));
        Assert.Contains("500 required command not supported by client", refused.Message);
    }

    [Theory]
    [InlineData("relp_version=0\ncommands=eventlog", "does not offer the syslog command")]
    [InlineData("commands=syslog", "no relp_version")]
    public async Task AServerThatDoesNotSpeakSyslogIsRefused(string offers, string reason)
    {
        await using var server = new ScriptedRelpServer();
        var opening = RelpClientSession.OpenAsync(await server.ConnectClientAsync(), new RelpClientOptions());

        await server.AcceptOpenAsync(offers);

        var refused = await Assert.ThrowsAsync<RelpSessionException>(() => opening.WaitAsync(Patience));
        Assert.Contains(reason, refused.Message);
    }

    [Theory]
    [InlineData("HTTP/1.1 400 Bad Request\r\n\r\n")]
    [InlineData("1 syslog 3 abc\n")]
    [InlineData("7 rsp 6 200 OK\n")]
    public async Task WhatAServerMustNotSendEndsTheSession(string raw)
    {
        var (server, session, _) = await OpenAsync();
        await using var _s = server;
        await using var __ = session;
        await session.SendSyslogAsync(Message(0), 0);

        await server.SendAsync(raw);

        await Assert.ThrowsAsync<RelpSessionException>(() => session.Completion.WaitAsync(Patience));
        Assert.Equal([0], session.TakeUnacknowledged().Select(m => m.State));
    }

    [Fact]
    public async Task CloseWaitsForEveryAnswerThenSendsClose()
    {
        var (server, session, acks) = await OpenAsync();
        await using var _ = server;
        await using var __ = session;
        await session.SendSyslogAsync(Message(0), 0);
        await server.ReadFrameAsync();

        var closing = session.CloseAsync();
        await Task.Delay(100);
        Assert.False(closing.IsCompleted);
        await server.AnswerAsync(2, "200 OK");
        Assert.Equal("3 close", await server.ReadFrameAsync());

        // librelp answers close with empty data, then hints serverclose and closes.
        await server.SendAsync("3 rsp 0\n0 serverclose 0\n");
        await closing.WaitAsync(Patience);
        await session.Completion.WaitAsync(Patience);
        Assert.Equal([0], States(acks));
    }
}
