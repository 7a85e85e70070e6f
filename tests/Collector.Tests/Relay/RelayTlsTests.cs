using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using TestSupport;

namespace Collector.Tests.Relay;

/// <summary>
/// RFC 5425 and RELP-over-TLS relays against loopback TLS receivers with a CA made for the test.
/// </summary>
public sealed class RelayTlsTests : IDisposable
{
    private readonly TempDirectory _dir = TempDirectory.Create(nameof(RelayTlsTests) + Guid.NewGuid().ToString("N")[..6]);
    private readonly X509Certificate2 _authority = TestCertificates.CreateAuthority("kube-syslog relay test CA");
    private readonly X509Certificate2 _server;

    public RelayTlsTests()
    {
        _server = TestCertificates.CreateServer(_authority);
        Directory.CreateDirectory(_dir.Combine("relays"));
    }

    [Fact]
    public async Task DeliversOverTlsWithTheConfiguredCaAndClientCertificate()
    {
        await using var receiver = LoopbackTlsReceiver.Start(_server, clientAuthority: _authority);
        using var client = TestCertificates.CreateClient(_authority, "log-collector");
        string ca = TestCertificates.WritePem(_dir.Combine("ca.pem"), _authority);
        string cert = TestCertificates.WritePem(_dir.Combine("client.pem"), client);
        string key = TestCertificates.WriteKey(_dir.Combine("client.key"), client);
        RelayDocs.Write(
            _dir,
            "secure",
            receiver.Port,
            extra: $"  tls: {{caFile: \"{ca}\", certFile: \"{cert}\", keyFile: \"{key}\", " +
                $"serverName: {TestCertificates.ServerName}}}\n");
        await using var collector = await RunningCollector.StartAsync(_dir, "--relays", _dir.Combine("relays"));

        await RelayDocs.SendAsync(collector, 12, 0, 500);

        await RelayDocs.UntilAsync(collector, () => receiver.Messages.Count == 500, "500 messages over TLS");
        Assert.Equal(System.Text.Encoding.UTF8.GetString(SequencedMessages.Message(12, 0)), receiver.Messages[0]);
        Assert.Equal("CN=log-collector", receiver.Connections[0].ClientSubject);
        var status = await StatusAsync(collector, "secure");
        Assert.True(status.GetProperty("tls").GetBoolean());
        Assert.True(status.GetProperty("connected").GetBoolean());
    }

    [Fact]
    public async Task DeliversOverRelpWithTlsWithTheForwardersWordsAndItsClientCertificate()
    {
        await using var receiver = LoopbackRelpReceiver.Start(tls: ClientTestCertificates.ServerOptions(_server, _authority));
        using var client = TestCertificates.CreateClient(_authority, "log-collector");
        var (ca, cert, key) = SecretVolume.Mount(_dir.Combine("secret"), _authority, client);
        RelayDocs.Write(
            _dir,
            "reliable",
            receiver.Port,
            protocol: "relp",
            extra: $"  tls: {{ca: \"{ca}\", cert: \"{cert}\", key: \"{key}\", serverName: {TestCertificates.ServerName}}}\n");
        await using var collector = await RunningCollector.StartAsync(_dir, "--relays", _dir.Combine("relays"));

        await RelayDocs.SendAsync(collector, 13, 0, 500);

        await RelayDocs.UntilAsync(collector, () => receiver.Acknowledged.Count >= 500, "500 messages acknowledged over RELP/TLS");
        var expected = Enumerable.Range(0, 500).Select(i => System.Text.Encoding.UTF8.GetString(SequencedMessages.Message(13, i))).ToList();
        Assert.Equal(expected, receiver.Received);
        Assert.Equal(expected, receiver.Acknowledged);
        Assert.Equal(["CN=log-collector"], receiver.ClientSubjects);
        var status = await StatusAsync(collector, "reliable");
        Assert.True(status.GetProperty("tls").GetBoolean());
        Assert.True(status.GetProperty("connected").GetBoolean());
    }

    [Theory]
    [InlineData(false, "RemoteCertificateChainErrors")]
    [InlineData(true, "RemoteCertificateNameMismatch")]
    public async Task AWrongCaOrNameIsRefusedAndReportedWhileTheOtherRelaysRun(bool rightCa, string expected)
    {
        await using var receiver = LoopbackTlsReceiver.Start(_server);
        await using var plain = SyslogTestListener.Start();
        var other = TestCertificates.CreateAuthority("some other CA");
        string ca = TestCertificates.WritePem(_dir.Combine("ca.pem"), rightCa ? _authority : other);
        string serverName = rightCa ? "wrong.example" : TestCertificates.ServerName;
        RelayDocs.Write(
            _dir, "refused", receiver.Port, extra: $"  tls: {{caFile: \"{ca}\", serverName: {serverName}}}\n");
        RelayDocs.Write(_dir, "plain", plain.TcpPort);
        await using var collector = await RunningCollector.StartAsync(_dir, "--relays", _dir.Combine("relays"));

        await RelayDocs.SendAsync(collector, 13, 0, 200);

        await plain.WaitForFramesAsync(200);
        await Wait.UntilAsync(
            () => StatusAsync(collector, "refused").Result.GetProperty("lastError").ValueKind == JsonValueKind.String,
            "the refusal reported");
        var status = await StatusAsync(collector, "refused");
        Assert.Contains(expected, status.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.False(status.GetProperty("connected").GetBoolean());
        Assert.Equal(200, status.GetProperty("queued").GetInt64());
        Assert.Empty(receiver.Messages);
    }

    [Fact]
    public async Task AReceiverRefusingTheMissingClientCertificateIsReportedWithItsReason()
    {
        // TLS 1.3 completes the client's side of the handshake before the server checks the client certificate; its
        // refusal comes a moment later. Messages written meanwhile were lost while counted as sent, with no
        // error shown.
        await using var receiver = LoopbackTlsReceiver.Start(_server, clientAuthority: _authority);
        string ca = TestCertificates.WritePem(_dir.Combine("ca.pem"), _authority);
        RelayDocs.Write(_dir, "nocert", receiver.Port, extra: $"  tls: {{caFile: \"{ca}\", serverName: {TestCertificates.ServerName}}}\n");
        await using var collector = await RunningCollector.StartAsync(_dir, "--relays", _dir.Combine("relays"));

        await RelayDocs.SendAsync(collector, 18, 0, 50);

        await RelayDocs.UntilAsync(
            collector,
            () => StatusAsync(collector, "nocert").Result.GetProperty("lastError").GetString()
                ?.Contains("by the peer", StringComparison.Ordinal) == true,
            "the receiver's refusal reported");
        var status = await StatusAsync(collector, "nocert");
        Assert.Equal(0, status.GetProperty("sent").GetInt64());
        Assert.Equal(50, status.GetProperty("queued").GetInt64());
        Assert.Empty(receiver.Messages);
    }

    [Fact]
    public async Task TheNameCheckCanBeTurnedOffButNotTheChainCheck()
    {
        await using var receiver = LoopbackTlsReceiver.Start(_server);
        await using var untrusted = LoopbackTlsReceiver.Start(_server);
        string ca = TestCertificates.WritePem(_dir.Combine("ca.pem"), _authority);
        string otherCa = TestCertificates.WritePem(_dir.Combine("other-ca.pem"), TestCertificates.CreateAuthority("some other CA"));
        RelayDocs.Write(_dir, "lenient", receiver.Port, extra: $"  tls: {{caFile: \"{ca}\", serverName: wrong.example, checkServerName: false}}\n");
        // The same leniency towards a server whose chain does not lead to the configured CA: still refused.
        RelayDocs.Write(
            _dir,
            "unchained",
            untrusted.Port,
            extra: $"  tls: {{caFile: \"{otherCa}\", serverName: wrong.example, checkServerName: false}}\n");
        await using var collector = await RunningCollector.StartAsync(_dir, "--relays", _dir.Combine("relays"));

        await RelayDocs.SendAsync(collector, 14, 0, 10);

        await Wait.UntilAsync(() => receiver.Messages.Count == 10, "10 messages");
        Assert.Equal(Enumerable.Range(0, 10).Select(i => System.Text.Encoding.UTF8.GetString(SequencedMessages.Message(14, i))), receiver.Messages);
        await Wait.UntilAsync(
            () => StatusAsync(collector, "unchained").Result.GetProperty("lastError").ValueKind == JsonValueKind.String,
            "the unchained server's refusal reported");
        var status = await StatusAsync(collector, "unchained");
        Assert.Contains("RemoteCertificateChainErrors", status.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.False(status.GetProperty("connected").GetBoolean());
        Assert.Equal(10, status.GetProperty("queued").GetInt64());
        Assert.Empty(untrusted.Messages);
    }

    [Fact]
    public async Task ACaFileWithoutACertificateIsReportedAndTheOtherRelaysRun()
    {
        await using var plain = SyslogTestListener.Start();
        string ca = _dir.Combine("empty-ca.pem");
        File.WriteAllText(ca, "not a certificate\n");
        RelayDocs.Write(_dir, "broken", 6514, extra: $"  tls: {{caFile: \"{ca}\"}}\n");
        RelayDocs.Write(_dir, "plain", plain.TcpPort);
        await using var collector = await RunningCollector.StartAsync(_dir, "--relays", _dir.Combine("relays"));
        using var http = RelayDocs.Http(collector);

        var status = JsonDocument.Parse(await http.GetStringAsync("/api/v1/relays")).RootElement;
        Assert.Equal(["plain"], status.GetProperty("relays").EnumerateArray().Select(r => r.GetProperty("name").GetString()));
        var invalid = status.GetProperty("invalid").EnumerateArray().Single();
        Assert.Equal("broken.yaml", invalid.GetProperty("file").GetString());
        Assert.StartsWith("could not start: ", invalid.GetProperty("errors")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("CaFile", invalid.GetProperty("errors")[0].GetString(), StringComparison.Ordinal);

        var broken = RelayDocs.Doc("broken2", 6514, extra: $"  tls: {{caFile: \"{ca}\"}}\n");
        using var put = await http.PutAsync("/api/v1/relays/broken2", new StringContent(broken));
        Assert.Equal(System.Net.HttpStatusCode.UnprocessableEntity, put.StatusCode);
        Assert.Contains("could not start", await put.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await RelayDocs.SendAsync(collector, 17, 0, 10);
        await plain.WaitForFramesAsync(10);
    }

    public void Dispose()
    {
        _server.Dispose();
        _authority.Dispose();
        _dir.Dispose();
    }

    private static async Task<JsonElement> StatusAsync(RunningCollector collector, string name)
    {
        using var http = RelayDocs.Http(collector);
        return System.Text.Json.JsonDocument.Parse(await http.GetStringAsync($"/api/v1/relays/{name}")).RootElement.Clone();
    }
}
