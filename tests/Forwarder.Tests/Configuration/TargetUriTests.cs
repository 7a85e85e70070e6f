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
    [InlineData("tls://log-collector:6514", SyslogTransportProtocol.Tcp, "log-collector", 6514)]
    [InlineData("TLS://log-collector.kube-syslog.svc", SyslogTransportProtocol.Tcp, "log-collector.kube-syslog.svc", 6514)]
    [InlineData("tls://[::1]", SyslogTransportProtocol.Tcp, "::1", 6514)]
    [InlineData("relp+tls://siem.example.com:20514", SyslogTransportProtocol.Relp, "siem.example.com", 20514)]
    [InlineData("RELP+TLS://log-collector", SyslogTransportProtocol.Relp, "log-collector", 2514)]
    public void TlsSchemesAreOctetCountedWithTheirOwnDefaultPorts(string text, SyslogTransportProtocol protocol, string host, int port)
    {
        // RFC 5425 §4.3: octet counting is the only framing over TLS; §4.1: port 6514.
        Assert.Equal(new TargetUri(protocol, SyslogFraming.OctetCounting, host, port, Tls: true), TargetUri.Parse(text));
    }

    [Theory]
    [InlineData("tcp://a:1", "tcp://a:1")]
    [InlineData("tcp+lf://a:2", "tcp+lf://a:2")]
    [InlineData("udp://[::1]:3", "udp://[::1]:3")]
    [InlineData("relp://[::1]:4", "relp://[::1]:4")]
    [InlineData("tls://a", "tls://a:6514")]
    [InlineData("relp+tls://[::1]:5", "relp+tls://[::1]:5")]
    public void PrintsBackWhatItParsed(string text, string printed) => Assert.Equal(printed, TargetUri.Parse(text).ToString());

    [Theory]
    [InlineData(
        "collector:514",
        "must look like relp://HOST:PORT, relp+tls://HOST:PORT, tls://HOST:PORT, tcp://HOST:PORT, tcp+lf://HOST:PORT or udp://HOST:PORT")]
    [InlineData("http://collector:514", "has an unknown scheme 'http' (relp, relp+tls, tls, tcp, tcp+lf or udp)")]
    [InlineData("tcp://collector:0", "has a bad port '0' (1-65535)")]
    [InlineData("tls+lf://collector:6514", "has an unknown scheme 'tls+lf' (relp, relp+tls, tls, tcp, tcp+lf or udp)")]
    [InlineData("udp+tls://collector:6514", "has an unknown scheme 'udp+tls' (relp, relp+tls, tls, tcp, tcp+lf or udp)")]
    [InlineData("tls://collector:65536", "has a bad port '65536' (1-65535)")]
    [InlineData("relp+tls://collector:x", "has a bad port 'x' (1-65535)")]
    [InlineData("tcp://collector:99999", "has a bad port '99999' (1-65535)")]
    [InlineData("tcp://:514", "has a bad host ''")]
    [InlineData("tcp://two words:514", "has a bad host 'two words'")]
    public void BadTargetsAreExplained(string text, string why)
    {
        Assert.False(TargetUri.TryParse(text, out _, out string? error));
        Assert.Equal(why, error);
    }
}
