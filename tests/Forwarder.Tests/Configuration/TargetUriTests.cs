using Forwarder.Configuration;
using Shared.Framing;
using Shared.Transport;

namespace Forwarder.Tests.Configuration;

public sealed class TargetUriTests
{
    [Theory]
    [InlineData("tcp://log-collector:514", SyslogTransportProtocol.Tcp, SyslogFraming.OctetCounting, "log-collector", 514)]
    [InlineData("TCP+LF://10.0.0.7:1514/", SyslogTransportProtocol.Tcp, SyslogFraming.LineFeed, "10.0.0.7", 1514)]
    [InlineData("udp://[::1]:5514", SyslogTransportProtocol.Udp, SyslogFraming.OctetCounting, "::1", 5514)]
    [InlineData("tcp://collector.kube-syslog.svc", SyslogTransportProtocol.Tcp, SyslogFraming.OctetCounting, "collector.kube-syslog.svc", 514)]
    [InlineData("relp://log-collector:2514", SyslogTransportProtocol.Relp, SyslogFraming.OctetCounting, "log-collector", 2514)]
    [InlineData("RELP://collector.kube-syslog.svc", SyslogTransportProtocol.Relp, SyslogFraming.OctetCounting, "collector.kube-syslog.svc", 2514)]
    public void ParsesSchemeHostAndPort(string text, SyslogTransportProtocol protocol, SyslogFraming framing, string host, int port)
    {
        Assert.Equal(new TargetUri(protocol, framing, host, port), TargetUri.Parse(text));
    }

    [Theory]
    [InlineData("tcp://a:1", "tcp://a:1")]
    [InlineData("tcp+lf://a:2", "tcp+lf://a:2")]
    [InlineData("udp://[::1]:3", "udp://[::1]:3")]
    [InlineData("relp://[::1]:4", "relp://[::1]:4")]
    public void PrintsBackWhatItParsed(string text, string printed) => Assert.Equal(printed, TargetUri.Parse(text).ToString());

    [Theory]
    [InlineData("collector:514", "must look like relp://HOST:PORT, tcp://HOST:PORT, tcp+lf://HOST:PORT or udp://HOST:PORT")]
    [InlineData("http://collector:514", "has an unknown scheme 'http' (relp, tcp, tcp+lf or udp)")]
    [InlineData("tcp://collector:0", "has a bad port '0' (1-65535)")]
    [InlineData("tcp://collector:99999", "has a bad port '99999' (1-65535)")]
    [InlineData("tcp://:514", "has a bad host ''")]
    [InlineData("tcp://two words:514", "has a bad host 'two words'")]
    public void BadTargetsAreExplained(string text, string why)
    {
        Assert.False(TargetUri.TryParse(text, out _, out string? error));
        Assert.Equal(why, error);
    }
}
