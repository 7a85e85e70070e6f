using System.Net;
using System.Net.Sockets;
using System.Text;
using Shared.Relp;
using TestSupport;
using Xunit.Sdk;

namespace Shared.Tests.Relp;

/// <summary>
/// Our client session against the real receiver: rsyslogd with rsyslog-relp's <c>imrelp</c> (librelp's server) in the
/// foreground with a private config. Every message must be answered and written by rsyslog, in order.
/// </summary>
public sealed class RsyslogImrelpTests
{
    [PeerFact("rsyslogd", "imrelp.so")]
    public async Task ImrelpAnswersEveryMessageOurSessionSendsAndWritesThemInOrder()
    {
        const int Count = 2000;
        using var dir = TempDirectory.Create();
        int port = FreePort();
        string output = dir.Combine("received.log");
        string config = dir.Combine("rsyslog.conf");
        await File.WriteAllTextAsync(config, $$"""
            global(workDirectory="{{dir.Path}}" net.enableDNS="off")
            module(load="imrelp")
            template(name="msgonly" type="string" string="%msg%\n")
            ruleset(name="relp") { action(type="omfile" file="{{output}}" template="msgonly") }
            input(type="imrelp" port="{{port}}" ruleset="relp")
            """);
        await using var rsyslog = ForegroundProcess.Start(Peers.Require("rsyslogd"), ["-n", "-f", config, "-i", dir.Combine("rsyslogd.pid")]);

        using var client = new TcpClient();
        await Wait.UntilAsync(() => rsyslog.HasExited || TryConnect(client, port), "imrelp to listen");
        Assert.False(rsyslog.HasExited, rsyslog.Output);
        var answered = new List<int>();
        var options = new RelpClientOptions { Acknowledged = a => { Assert.True(a.IsOk, a.Response.ToString()); answered.Add((int)a.State!); } };
        await using var session = await RelpClientSession.OpenAsync(client.GetStream(), options);
        for (int i = 0; i < Count; i++)
        {
            await session.SendSyslogAsync(Encoding.UTF8.GetBytes($"<13>1 2026-12-06T04:00:00Z host app - - - message {i}"), i, flush: i % 100 == 99);
        }

        await session.CloseAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Contains("librelp", session.ServerOffers.Software);
        Assert.Equal(Enumerable.Range(0, Count), answered);
        var expected = Enumerable.Range(0, Count).Select(i => $"message {i}").ToList();
        try
        {
            await Wait.UntilAsync(() => ReadLines(output).Count >= Count, "rsyslog to write every message");
        }
        catch (XunitException e)
        {
            throw new XunitException($"{e.Message}{Environment.NewLine}rsyslogd said: {rsyslog.Output}");
        }

        Assert.Equal(expected, ReadLines(output));
    }

    private static bool TryConnect(TcpClient client, int port)
    {
        try
        {
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static List<string> ReadLines(string path) =>
        File.Exists(path) ? File.ReadAllText(path).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList() : [];

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
