using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Xunit.Sdk;

namespace TestSupport;

/// <summary>
/// A private <c>rsyslogd -n -f CONF -i PIDFILE</c> in the foreground that relays: it takes messages on its own imtcp
/// input (127.0.0.1, port 0, so the kernel picks a free port) and forwards each with <c>omfwd</c> to a target. Killed
/// by its PID on dispose; the system service is never touched. Only messages from the input are forwarded: rsyslogd's
/// own (start-up, errors) go to the default ruleset, which has no action, and show up in <see cref="Diagnostics"/>
/// instead.
/// </summary>
public sealed partial class RsyslogForwarder : IAsyncDisposable
{
    /// <summary>
    /// rsyslog's RFC 5424 template: <c>&lt;PRI&gt;1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG</c> and an LF.
    /// </summary>
    public const string SyslogProtocol23Format = "RSYSLOG_SyslogProtocol23Format";

    private readonly ForegroundProcess _process;

    private RsyslogForwarder(ForegroundProcess process) => _process = process;

    /// <summary>The port of the imtcp input, which takes octet-counted and LF-framed messages.</summary>
    public int InputPort { get; private set; }

    /// <summary>What rsyslogd printed, for failure messages.</summary>
    public string Diagnostics => _process.Output;

    /// <summary>
    /// Starts rsyslogd forwarding to <paramref name="target"/> over <paramref name="protocol"/> (<c>tcp</c> or
    /// <c>udp</c>), with omfwd's <c>TCP_Framing</c> set to <paramref name="tcpFraming"/> (<c>octet-counted</c>, or null
    /// for rsyslog's default LF framing) and the output <paramref name="template"/>.
    /// </summary>
    public static Task<RsyslogForwarder> StartAsync(
        TempDirectory directory, IPEndPoint target, string protocol, string? tcpFraming = null, string template = SyslogProtocol23Format)
    {
        string framing = tcpFraming is null ? string.Empty : $" TCP_Framing=\"{tcpFraming}\"";
        return StartWithActionAsync(directory, $"""
            action(type="omfwd" target="{target.Address}" port="{target.Port}" protocol="{protocol}"{framing}
                   template="{template}" action.resumeRetryCount="-1" action.resumeInterval="1"
                   queue.type="LinkedList" queue.size="10000" queue.workerThreads="1" queue.timeoutEnqueue="10000")
            """);
    }

    /// <summary>
    /// Starts rsyslogd forwarding to <paramref name="target"/> with <c>omrelp</c> (rsyslog-relp, librelp): each message
    /// is kept until the receiver acknowledges it and sent again after a reconnect. The template is RFC 5424 without
    /// omfwd's trailing LF (RELP frames carry their length).
    /// </summary>
    public static Task<RsyslogForwarder> StartRelpAsync(TempDirectory directory, IPEndPoint target) =>
        StartWithActionAsync(directory, $$"""
            module(load="omrelp")
            template(name="relp5424" type="string"
                     string="<%PRI%>1 %TIMESTAMP:::date-rfc3339% %HOSTNAME% %APP-NAME% %PROCID% %MSGID% %STRUCTURED-DATA% %msg%")
            ruleset(name="forward") {
                action(type="omrelp" target="{{target.Address}}" port="{{target.Port}}" template="relp5424"
                       action.resumeRetryCount="-1" action.resumeInterval="1"
                       queue.type="LinkedList" queue.size="100000" queue.workerThreads="1" queue.timeoutEnqueue="60000")
            }
            """, ownRuleset: true);

    private static async Task<RsyslogForwarder> StartWithActionAsync(TempDirectory directory, string action, bool ownRuleset = false)
    {
        string binary = Peers.Require("rsyslogd");
        string portFile = directory.Combine("input.port");
        string config = directory.Combine("rsyslog-forwarder.conf");

        // The action gets its own in-memory queue, so the input never waits for the target; one worker keeps the order.
        // resumeRetryCount -1: a target that is not reachable yet is retried forever instead of the message discarded.
        string rules = ownRuleset ? action : $$"""
            ruleset(name="forward") {
            {{action}}
            }
            """;
        await File.WriteAllTextAsync(config, $$"""
            global(workDirectory="{{directory.Path}}" net.enableDNS="off" maxMessageSize="64k")
            module(load="imtcp")
            {{rules}}
            input(type="imtcp" address="127.0.0.1" port="0" listenPortFileName="{{portFile}}" ruleset="forward")
            """);

        var rsyslog = new RsyslogForwarder(ForegroundProcess.Start(binary, ["-n", "-f", config, "-i", directory.Combine("rsyslogd.pid")]));
        try
        {
            // imtcp writes the port file once it listens.
            await Wait.UntilAsync(() => rsyslog._process.HasExited || ForegroundProcess.ReadPortFile(portFile) > 0, "rsyslogd to listen on TCP");
            if (rsyslog._process.HasExited)
            {
                throw new XunitException($"rsyslogd exited with {rsyslog._process.ExitCode}: {rsyslog.Diagnostics}");
            }

            rsyslog.InputPort = ForegroundProcess.ReadPortFile(portFile);
            return rsyslog;
        }
        catch
        {
            await rsyslog.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Sends <paramref name="messages"/> to the input on one connection, octet-counted (RFC 6587 §3.4.1).
    /// </summary>
    public async Task SendAsync(IEnumerable<byte[]> messages)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, InputPort);
        var stream = client.GetStream();
        using var buffer = new MemoryStream();
        foreach (var message in messages)
        {
            buffer.Write(Encoding.ASCII.GetBytes($"{message.Length.ToString(CultureInfo.InvariantCulture)} "));
            buffer.Write(message);
        }

        await stream.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
        client.Client.Shutdown(SocketShutdown.Send);

        // rsyslogd closes its side after reading everything: then every message is in its queue.
        var rest = new byte[256];
        using var cts = new CancellationTokenSource(Wait.DefaultTimeout);
        while (await stream.ReadAsync(rest, cts.Token) > 0)
        {
        }
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
