using System.Security.Cryptography.X509Certificates;
using Forwarder.Shipping;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;
using Answer = TestSupport.LoopbackRelpReceiver.Answer;

namespace Forwarder.Tests.Shipping;

/// <summary>
/// The whole Forwarder shipping over <c>tls://</c> (RFC 5425) and <c>relp+tls://</c> to loopback receivers that
/// require a client certificate from the test CA, with the files mounted the way a Kubernetes Secret is.
/// </summary>
public sealed class TlsShippingTests : IDisposable
{
    private readonly TempDirectory _directory = TempDirectory.Create(nameof(TlsShippingTests));
    private readonly X509Certificate2 _authority = TestCertificates.CreateAuthority("kube-syslog test CA");
    private readonly X509Certificate2 _server;
    private readonly X509Certificate2 _client;

    public TlsShippingTests()
    {
        _server = TestCertificates.CreateServer(_authority);
        _client = TestCertificates.CreateClient(_authority, "node-1");
    }

    [Fact]
    public async Task EveryLineArrivesOverTlsOnceInOrderWithTheClientCertificate()
    {
        var tree = new NodeLogTree(_directory);
        var log = tree.AddContainer("shop", "web-0", "app", RuntimeFormat.Cri);
        await using var receiver = LoopbackTlsReceiver.Start(_server, clientAuthority: _authority);
        var files = SecretVolume.Mount(_directory.Combine("secret"), _authority, _client);
        await using var forwarder = await StartAsync(tree, $"tls://127.0.0.1:{receiver.Port}", files);

        log.AppendMany(Lines(0, 3000));
        log.Append("sentinel");
        await Wait.UntilAsync(() => receiver.Messages.Count > 0 && TextOf(receiver.Messages[^1]) == "sentinel", "the sentinel over TLS");
        await QuietAsync(() => receiver.Messages.Count);

        Assert.Equal([.. Lines(0, 3000), "sentinel"], receiver.Messages.Select(TextOf));
        var connection = Assert.Single(receiver.Connections);
        Assert.Equal("CN=node-1", connection.ClientSubject);
        Assert.Equal(TestCertificates.ServerName, connection.ServerName);
    }

    [Fact]
    public async Task EveryLineArrivesOverRelpWithTlsOnceInOrderWithTheClientCertificate()
    {
        var tree = new NodeLogTree(_directory);
        var log = tree.AddContainer("shop", "web-0", "app", RuntimeFormat.Docker);
        await using var receiver = LoopbackRelpReceiver.Start(tls: ClientTestCertificates.ServerOptions(_server, _authority));
        var files = SecretVolume.Mount(_directory.Combine("secret"), _authority, _client);
        await using var forwarder = await StartAsync(tree, $"relp+tls://127.0.0.1:{receiver.Port}", files);

        log.AppendMany(Lines(0, 3000));
        log.Append("sentinel");
        await Wait.UntilAsync(() => receiver.Acknowledged.Count > 0 && TextOf(receiver.Acknowledged[^1]) == "sentinel", "the sentinel over RELP/TLS");
        await QuietAsync(() => receiver.Received.Count);

        Assert.Equal([.. Lines(0, 3000), "sentinel"], Texts(receiver.Received));
        Assert.Equal([.. Lines(0, 3000), "sentinel"], Texts(receiver.Acknowledged));
        Assert.Equal(["CN=node-1"], receiver.ClientSubjects);
    }

    [Fact]
    public async Task WithoutAClientCertificateTheReceiverRefusesTheForwarderAndNothingArrives()
    {
        var tree = new NodeLogTree(_directory);
        var log = tree.AddContainer("shop", "web-0", "app", RuntimeFormat.Cri);
        await using var receiver = LoopbackRelpReceiver.Start(tls: ClientTestCertificates.ServerOptions(_server, _authority));
        string ca = TestCertificates.WritePem(_directory.Combine("ca.crt"), _authority);
        await using var forwarder = await RunningForwarder.StartAsync(
            _directory,
            tree.ContainersGlob,
            [$"relp+tls://127.0.0.1:{receiver.Port}"],
            "--tls-ca", ca, "--tls-server-name", TestCertificates.ServerName, "--max-retry-delay", "200ms");
        var link = forwarder.Services.GetRequiredService<CollectorLink>();

        log.AppendMany(Lines(0, 10));
        await Wait.UntilAsync(() => link.FailedAttempts >= 3, "three refused attempts");

        Assert.Empty(receiver.Received);
        Assert.Empty(receiver.ClientSubjects);
        Assert.Contains("relp+tls://127.0.0.1", link.Current, StringComparison.Ordinal);
        Assert.NotNull(link.Counters[0].LastError);
    }

    [Fact]
    public async Task ARotatedCertificateIsUsedFromTheNextConnectionOn()
    {
        var tree = new NodeLogTree(_directory);
        var log = tree.AddContainer("shop", "web-0", "app", RuntimeFormat.Cri);
        bool reset = false;
        await using var receiver = LoopbackRelpReceiver.Start(tls: ClientTestCertificates.ServerOptions(_server, _authority));
        receiver.Rule = (message, _) => TextOf(message) == "reconnect" && !reset ? Reset() : Answer.Ok;
        string secret = _directory.Combine("secret");
        var files = SecretVolume.Mount(secret, _authority, _client);
        await using var forwarder = await StartAsync(tree, $"relp+tls://127.0.0.1:{receiver.Port}", files, "--max-retry-delay", "200ms");

        log.AppendMany(Lines(0, 100));
        await Wait.UntilAsync(() => receiver.Acknowledged.Count == 100, "100 lines with the first certificate");

        // cert-manager renews; the kubelet swaps the Secret's files at once. The open session keeps its certificate:
        // the receiver breaks it, and the Forwarder's next session must show the new one.
        using var renewed = TestCertificates.CreateClient(_authority, "node-1-renewed");
        await SecretVolume.UpdateAsync(secret, _authority, renewed);
        log.AppendMany(["reconnect", .. Lines(100, 100), "sentinel"]);
        await Wait.UntilAsync(
            () => receiver.Acknowledged.Count > 0 && TextOf(receiver.Acknowledged[^1]) == "sentinel",
            "the sentinel on a new session",
            TimeSpan.FromSeconds(30));
        await QuietAsync(() => receiver.Received.Count);

        Assert.Equal(["CN=node-1", "CN=node-1-renewed"], receiver.ClientSubjects);
        Assert.Equal([.. Lines(0, 100), "reconnect", .. Lines(100, 100), "sentinel"], Texts(receiver.Acknowledged));

        // The message the reset cut off came again on the new session, and nothing else twice.
        Assert.Equal([.. Lines(0, 100), "reconnect", "reconnect", .. Lines(100, 100), "sentinel"], Texts(receiver.Received));

        Answer Reset()
        {
            reset = true;
            return Answer.Reset;
        }
    }

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
        _authority.Dispose();
        _directory.Dispose();
    }

    private Task<RunningForwarder> StartAsync(
        NodeLogTree tree,
        string target,
        (string Ca, string Certificate, string Key) files,
        params string[] extra) =>
        RunningForwarder.StartAsync(
            _directory,
            tree.ContainersGlob,
            [target],
            ["--tls-ca", files.Ca, "--tls-cert", files.Certificate, "--tls-key", files.Key,
             "--tls-server-name", TestCertificates.ServerName, .. extra]);

    private static string TextOf(string message) => message[(message.LastIndexOf("] ", StringComparison.Ordinal) + 2)..];

    private static List<string> Texts(IEnumerable<string> messages) => messages.Select(TextOf).ToList();

    private static List<string> Lines(int from, int count) => Enumerable.Range(from, count).Select(i => $"line {i}").ToList();

    /// <summary>Nothing more arrives for a while after the sentinel: no extras, no late duplicates.</summary>
    private static async Task QuietAsync(Func<int> count)
    {
        int before = count();
        await Wait.UntilQuietAsync(() => count(), TimeSpan.FromMilliseconds(500), "the receiver after the sentinel");
        Assert.Equal(before, count());
    }
}
