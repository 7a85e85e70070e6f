using System.Text;
using Shared.Tests.Relp;
using Shared.Transport;

namespace Shared.Tests.Transport;

/// <summary>
/// <see cref="SyslogSenderOptions.RelpKubeSyslogWindowSize"/>: the window is chosen per session from the receiver's
/// <c>relp_software</c> (the Forwarder's <c>--relp-window auto</c>): the wide one only for a kube-syslog receiver,
/// librelp's for any other.
/// </summary>
public sealed class RelpWindowChoiceTests
{
    private const string KubeSyslog = "relp_version=0\nrelp_software=kube-syslog,0.1.0,https://github.com/kube-syslog/kube-syslog\ncommands=syslog";
    private const string Librelp = "relp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData(KubeSyslog, 6, 6)]
    [InlineData(Librelp, 6, 4)]
    [InlineData(KubeSyslog, null, 4)]
    public async Task TheWindowFollowsTheReceiversSoftware(string offers, int? kubeSyslogWindow, int expected)
    {
        await using var server = new ScriptedRelpServer();
        await using var sender = new RelpSyslogSender(new SyslogSenderOptions
        {
            Host = "127.0.0.1",
            Port = server.Port,
            Protocol = SyslogTransportProtocol.Relp,
            RelpWindowSize = 4,
            RelpKubeSyslogWindowSize = kubeSyslogWindow,
        });
        var lines = Enumerable.Range(0, 10).Select(i => $"<13>1 - host app - - - m{i}").ToList();
        var delivery = new RelpDelivery(lines.Select(l => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(l)).ToList());

        var posting = sender.PostAsync([delivery]).AsTask();
        await server.AcceptAsync();
        await server.AcceptOpenAsync(offers);

        // A window's worth of frames (txnr 1 was open), then nothing more until an answer makes room.
        for (int i = 0; i < expected; i++)
        {
            Assert.Equal($"{i + 2} syslog {lines[i]}", await server.ReadFrameAsync().WaitAsync(Patience));
        }

        var next = server.ReadFrameAsync();
        await Task.WhenAny(next, Task.Delay(300));
        Assert.False(next.IsCompleted, $"a frame past a window of {expected} was sent before any answer");
        Assert.False(posting.IsCompleted);

        await server.AnswerAsync(2, "200 OK");
        Assert.Equal($"{expected + 2} syslog {lines[expected]}", await next.WaitAsync(Patience));
    }
}
