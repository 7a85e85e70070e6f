using System.Security.Cryptography.X509Certificates;
using Forwarder.Shipping;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;
using Xunit.Sdk;

namespace Forwarder.Tests.Shipping;

/// <summary>
/// The Forwarder shipping over <c>relp+tls://</c> to a real, private rsyslogd with imrelp and <c>tls="on"</c>
/// (librelp with GnuTLS or OpenSSL), which requires the Forwarder's client certificate.
/// </summary>
public sealed class RsyslogRelpTlsInteropTests : IDisposable
{
    private const string Template = @"%hostname%\t%msg%\n";

    private readonly TempDirectory _directory = TempDirectory.Create(nameof(RsyslogRelpTlsInteropTests));
    private readonly X509Certificate2 _authority = TestCertificates.CreateAuthority("kube-syslog interop CA");
    private readonly X509Certificate2 _server;
    private readonly X509Certificate2 _client;

    public RsyslogRelpTlsInteropTests()
    {
        _server = TestCertificates.CreateServer(_authority);
        _client = TestCertificates.CreateClient(_authority, "node-1");
    }

    [PeerTheory("rsyslogd", "imrelp.so")]
    [InlineData("gnutls", "certvalid")]
    [InlineData("gnutls", "name")]
    [InlineData("openssl", "certvalid")]
    [InlineData("openssl", "name")]
    public async Task RsyslogImrelpWithTlsReceivesEveryLineOnceInOrder(string library, string authMode)
    {
        var tree = new NodeLogTree(_directory);
        var log = tree.AddContainer("shop", "web-0", "app", RuntimeFormat.Cri);
        await using var rsyslog = await StartRsyslogAsync(library, authMode, permittedPeer: "node-1");
        await using var forwarder = await StartForwarderAsync(tree, rsyslog.Port);

        log.AppendMany(Lines(0, 5000));
        log.Append("sentinel");
        await WaitForSentinelAsync(rsyslog, forwarder);

        Assert.Equal([.. Lines(0, 5000), "sentinel"], rsyslog.ReadLines().Select(l => l[(l.IndexOf('\t') + 1)..]));
        Assert.All(rsyslog.ReadLines(), l => Assert.StartsWith("node-1\t", l, StringComparison.Ordinal));
    }

    [PeerFact("rsyslogd", "imrelp.so")]
    public async Task RsyslogInNameModeRefusesACertificateForAnotherPeerAndNothingIsStored()
    {
        var tree = new NodeLogTree(_directory);
        var log = tree.AddContainer("shop", "web-0", "app", RuntimeFormat.Cri);
        await using var rsyslog = await StartRsyslogAsync("openssl", "name", permittedPeer: "node-2");
        await using var forwarder = await StartForwarderAsync(tree, rsyslog.Port);
        var link = forwarder.Services.GetRequiredService<CollectorLink>();

        log.AppendMany(Lines(0, 10));
        await Wait.UntilAsync(() => link.FailedAttempts >= 3, "three refused attempts", TimeSpan.FromSeconds(30));

        Assert.Empty(rsyslog.ReadLines());
        Assert.NotNull(link.Counters[0].LastError);
    }

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
        _authority.Dispose();
        _directory.Dispose();
    }

    private async Task<RsyslogRelpReceiver> StartRsyslogAsync(string library, string authMode, string permittedPeer)
    {
        string dir = _directory.Combine("rsyslog-tls");
        Directory.CreateDirectory(dir);
        string ca = TestCertificates.WritePem(Path.Combine(dir, "ca.pem"), _authority);
        string cert = TestCertificates.WritePem(Path.Combine(dir, "server.pem"), _server);
        string key = TestCertificates.WriteKey(Path.Combine(dir, "server.key"), _server);
        string peers = authMode == "name" ? $" tls.permittedPeer=[\"{permittedPeer}\"]" : "";
        return await RsyslogRelpReceiver.StartAsync(
            _directory,
            Template,
            inputParameters: $"tls=\"on\" tls.caCert=\"{ca}\" tls.myCert=\"{cert}\" tls.myPrivKey=\"{key}\" " +
                $"tls.authMode=\"{authMode}\"{peers}",
            moduleParameters: $"tls.tlslib=\"{library}\"");
    }

    private Task<RunningForwarder> StartForwarderAsync(NodeLogTree tree, int port)
    {
        var files = SecretVolume.Mount(_directory.Combine("secret"), _authority, _client);
        return RunningForwarder.StartAsync(
            _directory,
            tree.ContainersGlob,
            [$"relp+tls://127.0.0.1:{port}"],
            "--tls-ca", files.Ca, "--tls-cert", files.Certificate, "--tls-key", files.Key,
            "--tls-server-name", TestCertificates.ServerName, "--max-retry-delay", "500ms");
    }

    private static List<string> Lines(int from, int count) => Enumerable.Range(from, count).Select(i => $"line {i} of the interop test").ToList();

    private static async Task WaitForSentinelAsync(RsyslogRelpReceiver rsyslog, RunningForwarder forwarder)
    {
        var link = forwarder.Services.GetRequiredService<CollectorLink>();
        try
        {
            await Wait.UntilAsync(
                () => rsyslog.ReadLines().Any(l => l.EndsWith("\tsentinel", StringComparison.Ordinal)),
                "the sentinel at rsyslogd",
                TimeSpan.FromSeconds(60));

            // A quiet period after the sentinel: nothing else may come.
            int count = rsyslog.ReadLines().Count;
            await Wait.UntilQuietAsync(() => rsyslog.ReadLines().Count, TimeSpan.FromMilliseconds(500), "rsyslogd's file after the sentinel");
            Assert.Equal(count, rsyslog.ReadLines().Count);
        }
        catch (XunitException e)
        {
            throw new XunitException($"{e.Message} Have {rsyslog.ReadLines().Count}; last error " +
                $"{link.Counters[0].LastError}.\nrsyslogd said:\n{rsyslog.Diagnostics}");
        }
    }
}
