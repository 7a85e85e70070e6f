using Collector.Relay.Configuration;
using Shared.Framing;
using Shared.Transport;
using TestSupport;

namespace Collector.Tests.Relay;

public sealed class RelayDocumentTests
{
    private const string DocumentA = "kind: logforwarder\nversion: v2\nmetadata: {name: a}\n";

    [Fact]
    public void ReadsAGravityLogForwarderAsGravityStoredIt()
    {
        const string Yaml = """
            kind: logforwarder
            version: v2
            metadata:
              name: forwarder1
            spec:
              address: 192.168.121.1:514
              protocol: udp
            """;

        var relay = RelayDocument.Parse(Yaml, out var errors);

        Assert.Empty(errors);
        Assert.NotNull(relay);
        Assert.Equal("forwarder1", relay.Name);
        Assert.Equal("192.168.121.1", relay.Host);
        Assert.Equal(514, relay.Port);
        Assert.Equal(SyslogTransportProtocol.Udp, relay.Protocol);
        Assert.Equal(RelayFormat.Rfc5424, relay.Format);
        Assert.Equal(SyslogFraming.OctetCounting, relay.Framing);
        Assert.Equal(RelayDefinition.DefaultQueueBytes, relay.QueueBytes);
        Assert.False(relay.Spill);
        Assert.Null(relay.Filter);
        Assert.Null(relay.Tls);
    }

    [Fact]
    public void ReadsTheSameDocumentAsJsonWithTcpAsTheDefaultProtocol()
    {
        const string Json = """{"kind":"logforwarder","version":"v2","metadata":{"name":"siem"},"spec":{"address":"siem.example.com:6514"}}""";

        var relay = RelayDocument.Parse(Json, out var errors);

        Assert.Empty(errors);
        Assert.Equal("siem.example.com", relay!.Host);
        Assert.Equal(6514, relay.Port);
        Assert.Equal(SyslogTransportProtocol.Tcp, relay.Protocol);
    }

    [Fact]
    public void ReadsProtocolRelpWithItsQueueAndSpill()
    {
        var relay = RelayDocument.Parse(
            "kind: logforwarder\nversion: v2\nmetadata: {name: siem}\n" +
            "spec: {address: 'siem:2514', protocol: RELP, queue: {spill: disk}}",
            out var errors);

        Assert.Empty(errors);
        Assert.Equal(SyslogTransportProtocol.Relp, relay!.Protocol);
        Assert.Equal(2514, relay.Port);
        Assert.True(relay.Spill);
    }

    [Fact]
    public void ReadsEveryExtension()
    {
        using var dir = TempDirectory.Create();
        string ca = dir.Combine("ca.pem");
        File.WriteAllText(ca, "not checked here");
        string yaml = $$"""
            kind: logforwarder
            version: v2
            metadata: {name: audit}
            spec:
              address: "[::1]:1514"
              protocol: tcp
              framing: lf
              format: rfc3164
              filter: '{namespace!="kube-system"} |= "error"'
              queue: {maxBytes: 1MiB, spill: disk, maxSpillBytes: 2GiB}
              tls: {caFile: "{{ca}}", serverName: siem.internal, checkServerName: false}
            """;

        var relay = RelayDocument.Parse(yaml, out var errors);

        Assert.Empty(errors);
        Assert.Equal("::1", relay!.Host);
        Assert.Equal("[::1]:1514", relay.Address);
        Assert.Equal(SyslogFraming.LineFeed, relay.Framing);
        Assert.Equal(RelayFormat.Rfc3164, relay.Format);
        Assert.Equal("{namespace!=\"kube-system\"} |= \"error\"", relay.Filter);
        Assert.Equal(1L << 20, relay.QueueBytes);
        Assert.True(relay.Spill);
        Assert.Equal(2L << 30, relay.SpillBytes);
        Assert.Equal(new RelayTlsSettings(ca, null, null, "siem.internal", CheckServerName: false), relay.Tls);
    }

    [Fact]
    public void ReadsTlsWithTheForwardersWordsForTcpAndRelp()
    {
        using var dir = TempDirectory.Create();
        string ca = dir.Combine("ca.crt"), cert = dir.Combine("tls.crt"), key = dir.Combine("tls.key");
        File.WriteAllText(ca, "not checked here");
        File.WriteAllText(cert, "not checked here");
        File.WriteAllText(key, "not checked here");

        foreach (string protocol in (string[])["tcp", "relp"])
        {
            var relay = RelayDocument.Parse(
                DocumentA + $"spec: {{address: 'siem:6514', protocol: {protocol}, " +
                $"tls: {{ca: '{ca}', cert: '{cert}', key: '{key}', serverName: siem.internal}}}}",
                out var errors);

            Assert.Empty(errors);
            Assert.Equal(new RelayTlsSettings(ca, cert, key, "siem.internal", CheckServerName: true), relay!.Tls);
            Assert.Null(relay.DeprecatedKeys);
        }
    }

    [Fact]
    public void TheOldTlsWordsStillWorkAndAreNamedForAWarning()
    {
        using var dir = TempDirectory.Create();
        string ca = dir.Combine("ca.crt"), cert = dir.Combine("tls.crt"), key = dir.Combine("tls.key");
        File.WriteAllText(ca, "not checked here");
        File.WriteAllText(cert, "not checked here");
        File.WriteAllText(key, "not checked here");

        var relay = RelayDocument.Parse(
            DocumentA + $"spec: {{address: 'siem:6514', tls: {{caFile: '{ca}', certFile: '{cert}', keyFile: '{key}'}}}}",
            out var errors);

        Assert.Empty(errors);
        Assert.Equal(new RelayTlsSettings(ca, cert, key, null, CheckServerName: true), relay!.Tls);
        Assert.Equal(
            "spec.tls.caFile (now spec.tls.ca), spec.tls.certFile (now spec.tls.cert), spec.tls.keyFile (now spec.tls.key)",
            relay.DeprecatedKeys);
        Assert.Equal(
            relay with { DeprecatedKeys = null },
            RelayDocument.Parse(DocumentA + $"spec: {{address: 'siem:6514', tls: {{ca: '{ca}', cert: '{cert}', key: '{key}'}}}}", out _));
    }

    [Fact]
    public void AnOldAndANewWordForTheSameFileAreRefused()
    {
        using var dir = TempDirectory.Create();
        string ca = dir.Combine("ca.crt");
        File.WriteAllText(ca, "not checked here");

        RelayDocument.Parse(DocumentA + $"spec: {{address: 'siem:6514', tls: {{ca: '{ca}', caFile: '{ca}'}}}}", out var errors);

        Assert.Equal(["spec.tls.ca and spec.tls.caFile are the same setting (caFile is its old name): give one"], errors);
    }

    [Theory]
    [InlineData(
        DocumentA + "spec: {address: 'h:514', protocol: sctp}",
        "spec.protocol must be tcp, udp or relp, was 'sctp'")]
    [InlineData(DocumentA + "spec: {address: 'h:99999'}", "spec.address must be host:port")]
    [InlineData(DocumentA + "spec: {protocol: tcp}", "spec.address is required")]
    [InlineData(DocumentA + "spec: {address: 'h:514', fliter: x}", "spec.fliter is not a known key")]
    [InlineData(DocumentA + "spec: {address: 'h:514', filter: '{namespace=}'}", "spec.filter is not a valid query")]
    [InlineData(
        DocumentA + "spec: {address: 'h:514', protocol: udp, tls: true}",
        "spec.tls needs spec.protocol tcp (RFC 5425 is TLS over TCP) or relp")]
    [InlineData(DocumentA + "spec: {address: 'h:514', tls: {ca: /nonexistent/ca.pem}}", "spec.tls.ca '/nonexistent/ca.pem' does not exist")]
    [InlineData(DocumentA + "spec: {address: 'h:514', tls: {ca: /tmp}}", "spec.tls.ca '/tmp' is a directory, not a file")]
    [InlineData(DocumentA + "spec: {address: 'h:514', tls: {cert: /tmp/c.pem}}", "spec.tls.cert and spec.tls.key go together")]
    [InlineData(DocumentA + "spec: {address: 'h:514', tls: {cafile: /tmp/ca.pem}}", "spec.tls.cafile is not a known key")]
    [InlineData(
        DocumentA + "spec: {address: 'h:514', tls: {caFile: /nonexistent/ca.pem}}",
        "spec.tls.caFile '/nonexistent/ca.pem' does not exist")]
    [InlineData(DocumentA + "spec: {address: 'h:514', queue: {maxBytes: lots}}", "spec.queue.maxBytes must be a size")]
    [InlineData(DocumentA + "spec: {address: 'h:514', queue: {spill: tape}}", "spec.queue.spill must be disk or none")]
    [InlineData(DocumentA + "spec: {address: 'h:514', format: json}", "spec.format must be rfc5424 or rfc3164")]
    [InlineData("kind: logforwarder\nversion: v2\nmetadata: {name: ../etc}\nspec: {address: 'h:514'}", "metadata.name must be")]
    [InlineData("kind: user\nversion: v2\nmetadata: {name: a}\nspec: {address: 'h:514'}", "kind must be logforwarder, was 'user'")]
    [InlineData("kind: logforwarder\nversion: v1\nmetadata: {name: a}\nspec: {address: 'h:514'}", "version must be v2, was 'v1'")]
    [InlineData("kind: logforwarder\nversion: v2\nmetadata: {name: a}", "spec is required")]
    [InlineData(DocumentA + "spec: {address: [h, 514]}", "spec.address must be a single value")]
    [InlineData("kind: logforwarder\n  version: : v2\n [", "not valid YAML or JSON at line")]
    [InlineData("- a\n- b", "must hold one logforwarder document")]
    [InlineData("kind: logforwarder\n---\nkind: logforwarder", "several documents")]
    [InlineData("", "must hold one logforwarder document")]
    public void RejectsABadDocumentNamingTheKey(string text, string expected)
    {
        var relay = RelayDocument.Parse(text, out var errors);

        Assert.Null(relay);
        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void ReportsEveryProblemAtOnce()
    {
        var relay = RelayDocument.Parse(
            "kind: logforwarder\nversion: v2\nmetadata: {name: a}\nspec: {address: 'h:0', protocol: x, format: y}",
            out var errors);

        Assert.Null(relay);
        Assert.Equal(3, errors.Count);
    }

    [Theory]
    [InlineData("collector.example.com:514", "collector.example.com", 514)]
    [InlineData("10.0.0.1", "10.0.0.1", 514)]
    [InlineData("[fe80::1]:6514", "fe80::1", 6514)]
    [InlineData("fe80::1", "fe80::1", 514)]
    public void ReadsAddressesAsGravityWroteThem(string address, string host, int port)
    {
        Assert.True(RelayDocument.TryParseAddress(address, out var h, out int p));
        Assert.Equal(host, h);
        Assert.Equal(port, p);
    }

    [Fact]
    public void TheLegacyWriterProducesADocumentTheReaderAccepts()
    {
        var relay = RelayDocument.Parse(RelayDocument.Write("forwarder-a", "10.1.2.3:514", "udp"), out var errors);

        Assert.Empty(errors);
        Assert.Equal(("forwarder-a", "10.1.2.3", 514, SyslogTransportProtocol.Udp), (relay!.Name, relay.Host, relay.Port, relay.Protocol));
    }

    [Fact]
    public void EqualDefinitionsMeanNoRestart()
    {
        const string Yaml = "kind: logforwarder\nversion: v2\nmetadata: {name: a}\nspec: {address: 'h:514', filter: '{pod=\"x\"}'}";
        var first = RelayDocument.Parse(Yaml, out _);
        var second = RelayDocument.Parse(Yaml.Replace("h:514", "h:515", StringComparison.Ordinal), out _);

        Assert.Equal(first, RelayDocument.Parse(Yaml, out _));
        Assert.NotEqual(first, second);
    }
}
