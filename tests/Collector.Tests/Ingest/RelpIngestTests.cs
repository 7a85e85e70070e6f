using System.Buffers;
using System.Net.Sockets;
using System.Text;
using Shared.Relp;
using TestSupport;

namespace Collector.Tests.Ingest;

/// <summary>The Collector's RELP listener, driven by our own client session and by raw bytes on a socket.</summary>
public sealed class RelpIngestTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static async Task<RelpClientSession> OpenAsync(RunningCollector collector, RelpClientOptions options)
    {
        var client = new TcpClient();
        await client.ConnectAsync(collector.Relp!);
        return await RelpClientSession.OpenAsync(client.GetStream(), options);
    }

    /// <summary>
    /// A raw connection: sends bytes and reads the Collector's answers until it closes the connection.
    /// </summary>
    private static async Task<string> ExchangeAsync(RunningCollector collector, string send, bool reset = false)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(collector.Relp!);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(send));
        if (reset)
        {
            client.Client.LingerState = new LingerOption(true, 0);
            client.Client.Close();
            return string.Empty;
        }

        client.Client.Shutdown(SocketShutdown.Send);
        using var received = new MemoryStream();
        await stream.CopyToAsync(received).WaitAsync(Patience);
        return Encoding.UTF8.GetString(received.ToArray());
    }

    private static string Frame(int txnr, string command, string data) =>
        data.Length == 0 ? $"{txnr} {command} 0\n" : $"{txnr} {command} {Encoding.UTF8.GetByteCount(data)} {data}\n";

    private const string Open = "1 open 86 relp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog\n";

    private static string Syslog(int txnr, int seq) => Frame(txnr, "syslog", Encoding.UTF8.GetString(SequencedMessages.Message(1, seq)));

    [Fact]
    public async Task EveryMessageIsAnsweredOnlyAfterItsLineIsInTheFile()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);
        var notYetWritten = new List<int>();
        var acknowledged = new List<int>();
        var options = new RelpClientOptions
        {
            Acknowledged = ack =>
            {
                int seq = (int)ack.State!;
                string expected = SequencedMessages.ExpectedLine(1, seq);
                if (!collector.ReadLines().Contains(expected))
                {
                    notYetWritten.Add(seq);
                }

                acknowledged.Add(seq);
            },
        };
        await using var session = await OpenAsync(collector, options);

        for (int seq = 0; seq < 300; seq++)
        {
            await session.SendSyslogAsync(SequencedMessages.Message(1, seq), seq, flush: seq % 7 == 0);
        }

        await session.CloseAsync().WaitAsync(Patience);

        Assert.Empty(notYetWritten);
        Assert.Equal(Enumerable.Range(0, 300), acknowledged);
        Assert.Equal(Enumerable.Range(0, 300).Select(s => SequencedMessages.ExpectedLine(1, s)), collector.ReadLines());
        Assert.Equal(300, await collector.MetricAsync("kubesyslog_collector_relp_acknowledged_messages_total"));
        Assert.Equal(1, await collector.MetricAsync("kubesyslog_collector_relp_sessions_total"));
    }

    [Fact]
    public async Task TheOpenIsAnsweredWithLibrelpsOffersIgnoringAnUnknownCommand()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);

        string answers = await ExchangeAsync(
            collector,
            Frame(1, "open", "relp_version=0\nrelp_software=librelp,1.11.0\ncommands=syslog,eventlog")
                + Frame(2, "close", ""));

        Assert.Matches(
            "^1 rsp [0-9]+ 200 OK\nrelp_version=0\nrelp_software=kube-syslog,[^\n]+\ncommands=syslog\n" +
            "2 rsp 0\n0 serverclose 0\n$",
            answers);
    }

    [Theory]
    [InlineData("relp_version=0\nrelp_software=x\ncommands=eventlog", "500 required command not supported by client")]
    [InlineData("relp_software=x\ncommands=syslog", "500 no relp_version offered")]
    [InlineData("relp_version=zero\ncommands=syslog", "500 relp_version offer is not a number: 'zero'")]
    public async Task AnOpenWithoutWhatWeNeedIsRefusedAndTheSessionClosed(string offers, string answer)
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);

        string answers = await ExchangeAsync(collector, Frame(1, "open", offers) + Syslog(2, 0));

        Assert.Equal(Frame(1, "rsp", answer) + "0 serverclose 0\n", answers);
        Assert.Empty(collector.ReadLines());
    }

    [Fact]
    public async Task SyslogBeforeOpenIsAnsweredCommandDisabledAndNotStored()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);

        string answers = await ExchangeAsync(collector, Syslog(1, 0));

        Assert.Equal(Frame(1, "rsp", "500 command disabled") + "0 serverclose 0\n", answers);
        Assert.Empty(collector.ReadLines());
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\n\r\n")]
    [InlineData("<13>1 - host app - - - plain syslog\n")]
    public async Task GarbageInsteadOfOpenClosesThatConnectionOnly(string garbage)
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);
        await using var good = await OpenAsync(collector, new RelpClientOptions());

        string answers = await ExchangeAsync(collector, garbage);
        await good.SendSyslogAsync(SequencedMessages.Message(1, 7));
        await good.CloseAsync().WaitAsync(Patience);

        Assert.Equal("0 serverclose 0\n", answers);
        Assert.Equal([SequencedMessages.ExpectedLine(1, 7)], collector.ReadLines());
        Assert.Equal(1, await collector.MetricAsync("kubesyslog_collector_relp_protocol_errors_total"));
    }

    [Theory]
    [InlineData("2 eventlog 0\n", "command 'eventlog'")]
    [InlineData("2 rsp 6 200 OK\n", "command 'rsp'")]
    [InlineData("3 syslog 1 x\n", "txnr 3 out of sequence")]
    public async Task ACommandAServerDoesNotTakeEndsTheSessionAfterAnsweringWhatCameBefore(string frame, string _)
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);

        string answers = await ExchangeAsync(collector, Open + frame);

        Assert.StartsWith("1 rsp ", answers);
        Assert.EndsWith("commands=syslog\n0 serverclose 0\n", answers);
        Assert.Empty(collector.ReadLines());
    }

    [Fact]
    public async Task AMessageOverTheLimitIsAnswered500AndCountedAndTheSessionGoesOn()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir, "--max-message-size", "1KiB");
        string big = "<13>1 - host app - - - " + new string('x', 2000);

        string answers = await ExchangeAsync(collector, Open + Syslog(2, 0) + Frame(3, "syslog", big) + Syslog(4, 1) + Frame(5, "close", ""));

        string[] replies = answers.Split('\n');
        Assert.Equal("2 rsp 6 200 OK", replies[4]);
        Assert.Equal("3 rsp 57 500 message of 2023 bytes is over the limit of 1024 bytes", replies[5]);
        Assert.Equal("4 rsp 6 200 OK", replies[6]);
        Assert.Equal("5 rsp 0", replies[7]);
        Assert.Equal([SequencedMessages.ExpectedLine(1, 0), SequencedMessages.ExpectedLine(1, 1)], collector.ReadLines());
        Assert.Equal(1, await collector.MetricAsync("kubesyslog_collector_relp_error_answers_total{reason=\"oversize\"}"));
    }

    [Fact]
    public async Task AResetInsideAFrameStoresTheCompleteFramesBeforeIt()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(collector.Relp!);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.UTF8.GetBytes(Open + Syslog(2, 0)));
            var answers = new StringBuilder();
            var buffer = new byte[4096];
            while (!answers.ToString().Contains("2 rsp 6 200 OK\n", StringComparison.Ordinal))
            {
                int n = await stream.ReadAsync(buffer).AsTask().WaitAsync(Patience);
                Assert.NotEqual(0, n);
                answers.Append(Encoding.UTF8.GetString(buffer, 0, n));
            }

            await stream.WriteAsync(Encoding.UTF8.GetBytes(Syslog(3, 1)[..40]));
            client.Client.LingerState = new LingerOption(true, 0);
            client.Client.Close();
        }

        await using var next = await OpenAsync(collector, new RelpClientOptions());
        await next.SendSyslogAsync(SequencedMessages.Message(1, 2));
        await next.CloseAsync().WaitAsync(Patience);

        Assert.Equal([SequencedMessages.ExpectedLine(1, 0), SequencedMessages.ExpectedLine(1, 2)], collector.ReadLines());
    }

    [Fact]
    public async Task WithAckAfterFsyncEveryAnswerFollowsAnFdatasync()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir, "--relp-ack-after", "fsync");
        var acknowledged = new List<int>();
        await using var session = await OpenAsync(collector, new RelpClientOptions { Acknowledged = a => acknowledged.Add((int)a.State!) });

        for (int seq = 0; seq < 1000; seq++)
        {
            await session.SendSyslogAsync(SequencedMessages.Message(1, seq), seq, flush: false);
        }

        await session.CloseAsync().WaitAsync(Patience);

        Assert.Equal(Enumerable.Range(0, 1000), acknowledged);
        Assert.Equal(Enumerable.Range(0, 1000).Select(s => SequencedMessages.ExpectedLine(1, s)), collector.ReadLines());
        double syncs = await collector.MetricAsync("kubesyslog_collector_fsyncs_total");
        Assert.InRange(syncs, 1, 1000);
    }

    [Fact]
    public async Task ShutdownAnswersWhatWasStoredThenSendsServerClose()
    {
        using var dir = TempDirectory.Create();
        var collector = await RunningCollector.StartAsync(dir);
        var acknowledged = new List<int>();
        await using var session = await OpenAsync(collector, new RelpClientOptions { Acknowledged = a => acknowledged.Add((int)a.State!) });
        for (int seq = 0; seq < 50; seq++)
        {
            await session.SendSyslogAsync(SequencedMessages.Message(1, seq), seq);
        }

        await collector.DisposeAsync();

        var ended = await Assert.ThrowsAsync<RelpSessionException>(() => session.Completion.WaitAsync(Patience));
        Assert.True(ended.ServerClosed, ended.Message);

        // What the Collector read before it stopped reading is answered and stored; the rest comes back for re-sending.
        var unanswered = session.TakeUnacknowledged().Select(m => (int)m.State!);
        Assert.Equal(Enumerable.Range(0, 50), acknowledged.Concat(unanswered));
        Assert.Equal(acknowledged.Select(s => SequencedMessages.ExpectedLine(1, s)), RunningCollector.ReadLines(collector.FilePath));
    }

    [Fact]
    public async Task AClientThatDoesNotReadItsAnswersHoldsUpOnlyItselfAndLaterGetsEveryAnswerInOrder()
    {
        // Far more answers than the socket buffers and the answer queue hold while the client does not read: the
        // Collector stops reading this client only; another session is answered meanwhile; nothing is lost.
        const int Count = 30_000;
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);
        using var stuck = new TcpClient { ReceiveBufferSize = 4096 };
        await stuck.ConnectAsync(collector.Relp!);
        var stream = stuck.GetStream();
        var frames = new StringBuilder(Open);
        for (int seq = 0; seq < Count; seq++)
        {
            frames.Append(Syslog(seq + 2, seq));
        }

        var sending = stream.WriteAsync(Encoding.UTF8.GetBytes(frames.ToString())).AsTask();

        var acknowledged = new List<int>();
        await using (var other = await OpenAsync(collector, new RelpClientOptions { Acknowledged = a => acknowledged.Add((int)a.State!) }))
        {
            for (int seq = 0; seq < 200; seq++)
            {
                await other.SendSyslogAsync(SequencedMessages.Message(2, seq), seq);
            }

            await other.CloseAsync().WaitAsync(Patience);
        }

        Assert.Equal(Enumerable.Range(0, 200), acknowledged);

        // Now read: every syslog answered 200 OK in txnr order, then the close answered and serverclose.
        var answered = new List<int>();
        var reader = new RelpFrameReader(64 * 1024);
        var received = new ArrayBufferWriter<byte>();
        var buffer = new byte[64 * 1024];
        bool closed = false;
        while (true)
        {
            if (sending.IsCompletedSuccessfully && !closed && answered.Count == Count)
            {
                await stream.WriteAsync(Encoding.UTF8.GetBytes(Frame(Count + 2, "close", "")));
                closed = true;
            }

            int n = await stream.ReadAsync(buffer).AsTask().WaitAsync(Patience);
            if (n == 0)
            {
                break;
            }

            received.Write(buffer.AsSpan(0, n));
            var rest = new ReadOnlySequence<byte>(received.WrittenMemory);
            while (reader.TryReadFrame(ref rest, out var frame, out _) == OperationStatus.Done)
            {
                if (frame.Command == RelpCommand.Rsp && frame.Txnr >= 2 && frame.Txnr < Count + 2)
                {
                    Assert.StartsWith("200 OK", Encoding.ASCII.GetString(frame.Data), StringComparison.Ordinal);
                    answered.Add(frame.Txnr);
                }
            }

            byte[] left = BuffersExtensions.ToArray(rest);
            received.ResetWrittenCount();
            received.Write(left);
        }

        await sending.WaitAsync(Patience);
        Assert.True(closed, $"{answered.Count} of {Count} answered before the Collector closed the connection");
        Assert.Equal(Enumerable.Range(2, Count), answered);
        var lines = collector.ReadLines();
        var first = Enumerable.Range(0, Count).Select(s => SequencedMessages.ExpectedLine(1, s)).ToList();
        var second = Enumerable.Range(0, 200).Select(s => SequencedMessages.ExpectedLine(2, s)).ToList();
        Assert.Equal(Count + 200, lines.Length);
        Assert.Equal(first, lines.Where(l => l.Contains(" stream=1 ", StringComparison.Ordinal)));
        Assert.Equal(second, lines.Where(l => l.Contains(" stream=2 ", StringComparison.Ordinal)));
    }
}
