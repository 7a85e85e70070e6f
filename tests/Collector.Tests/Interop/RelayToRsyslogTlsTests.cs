using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using TestSupport;

namespace Collector.Tests.Interop;

/// <summary>
/// A relay over <c>tls://</c> (RFC 5425) to a real rsyslogd whose imtcp speaks TLS through its gtls (GnuTLS) or ossl
/// (OpenSSL) stream driver and requires the Collector's client certificate.
/// </summary>
public sealed class RelayToRsyslogTlsTests : IDisposable
{
    private const int Count = 1_000;
    private const string Template = @"%hostname%\t%msg%\n";

    private readonly TempDirectory _dir = TempDirectory.Create(nameof(RelayToRsyslogTlsTests) + Guid.NewGuid().ToString("N")[..6]);
    private readonly X509Certificate2 _authority = TestCertificates.CreateAuthority("kube-syslog relay interop CA");
    private readonly X509Certificate2 _server;
    private readonly X509Certificate2 _client;

    public RelayToRsyslogTlsTests()
    {
        _server = TestCertificates.CreateServer(_authority);
        _client = TestCertificates.CreateClient(_authority, "log-collector");
        Directory.CreateDirectory(_dir.Combine("relays"));
    }

    [PeerTheory("rsyslogd")]
    [InlineData("gtls", "x509/certvalid")]
    [InlineData("gtls", "x509/name")]
    [InlineData("ossl", "x509/certvalid")]
    [InlineData("ossl", "x509/name")]
    public async Task EveryMessageArrivesAtRsyslogOverTlsOnceInOrder(string driver, string authMode)
    {
        string ca = TestCertificates.WritePem(_dir.Combine("ca.pem"), _authority);
        string cert = TestCertificates.WritePem(_dir.Combine("server.pem"), _server);
        string key = TestCertificates.WriteKey(_dir.Combine("server.key"), _server);
        string peers = authMode == "x509/name" ? " PermittedPeer=[\"log-collector\"]" : "";
        await using var rsyslog = await RsyslogProcess.StartAsync(
            _dir,
            Template,
            globalParameters: $"DefaultNetstreamDriverCAFile=\"{ca}\" DefaultNetstreamDriverCertFile=\"{cert}\" " +
                $"DefaultNetstreamDriverKeyFile=\"{key}\"",
            tcpModuleParameters: $"StreamDriver.Name=\"{driver}\" StreamDriver.Mode=\"1\" StreamDriver.AuthMode=\"{authMode}\"{peers}");
        var files = SecretVolume.Mount(_dir.Combine("secret"), _authority, _client);
        File.WriteAllText(_dir.Combine("relays", "siem.yaml"), $"""
            kind: logforwarder
            version: v2
            metadata: {"{"}name: siem{"}"}
            spec:
              address: 127.0.0.1:{rsyslog.TcpPort}
              tls: {"{"}ca: "{files.Ca}", cert: "{files.Certificate}", key: "{files.Key}", serverName: {TestCertificates.ServerName}{"}"}
            """);
        await using var collector = await RunningCollector.StartAsync(_dir, "--relays", _dir.Combine("relays"));

        // One connection, so the Collector keeps the order, the sentinel last.
        await SendAsync(collector, [.. Enumerable.Range(0, Count).Select(i => $"request {i}"), "sentinel"]);
        await Wait.UntilAsync(
            () => rsyslog.ReadLines().Any(l => l.EndsWith("\tsentinel", StringComparison.Ordinal)),
            $"the sentinel at rsyslogd (have {rsyslog.ReadLines().Count}): {rsyslog.Diagnostics}");
        int count = rsyslog.ReadLines().Count;
        await Wait.UntilQuietAsync(() => rsyslog.ReadLines().Count, TimeSpan.FromMilliseconds(500), "rsyslogd's file after the sentinel");

        var expected = Enumerable.Range(0, Count).Select(i => $"node-7\trequest {i}").Append("node-7\tsentinel").ToList();
        Assert.Equal(expected, rsyslog.ReadLines());
        Assert.Equal(count, rsyslog.ReadLines().Count);
    }

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
        _authority.Dispose();
        _dir.Dispose();
    }

    private static async Task SendAsync(RunningCollector collector, IEnumerable<string> texts)
    {
        var frames = new StringBuilder();
        foreach (string text in texts)
        {
            string message = $"<11>1 2026-11-23T10:00:00.123456Z node-7 api 4242 stderr - {text}";
            frames.Append(Encoding.UTF8.GetByteCount(message)).Append(' ').Append(message);
        }

        using var client = new TcpClient();
        await client.ConnectAsync(collector.Tcp);
        await client.GetStream().WriteAsync(Encoding.UTF8.GetBytes(frames.ToString()));
    }
}
