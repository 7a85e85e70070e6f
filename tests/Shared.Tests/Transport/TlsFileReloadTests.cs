using System.Security.Cryptography.X509Certificates;
using Shared.Transport;
using TestSupport;

namespace Shared.Tests.Transport;

/// <summary>
/// The CA, certificate and key files are read again before each handshake: a Secret rotated by cert-manager (the
/// kubelet swaps the files through <c>..data</c>) is used from the next connection on; a set that does not load is
/// logged once and the set before it stays in use.
/// </summary>
public sealed class TlsFileReloadTests : IDisposable
{
    private const int ReloadedEvent = 910;
    private const int RefusedEvent = 911;

    private readonly TempDirectory _directory = TempDirectory.Create(nameof(TlsFileReloadTests));
    private readonly X509Certificate2 _authority = TestCertificates.CreateAuthority("kube-syslog test CA");
    private readonly X509Certificate2 _server;
    private readonly X509Certificate2 _client;

    public TlsFileReloadTests()
    {
        _server = TestCertificates.CreateServer(_authority);
        _client = TestCertificates.CreateClient(_authority, "node-1");
    }

    [Fact]
    public async Task ABadNewSetIsLoggedOnceAndTheOldKeptThenAGoodOneIsUsedFromTheNextConnection()
    {
        await using var receiver = LoopbackTlsReceiver.Start(_server, clientAuthority: _authority);
        string secret = _directory.Combine("secret");
        var files = SecretVolume.Mount(secret, _authority, _client);
        var logger = new CollectingLogger();
        await using var sender = new TcpSyslogSender(Options(receiver.Port, files), logger);

        await sender.SendAsync(SyslogMessages.Batch(5, from: 0));
        await Wait.UntilAsync(() => receiver.Messages.Count == 5, "the first batch");

        // A renewed certificate next to the old key: not a usable pair.
        using var renewed = TestCertificates.CreateClient(_authority, "node-1-renewed");
        await SecretVolume.UpdateAsync(secret, _authority, renewed, keyOf: _client);
        for (int round = 1; round <= 2; round++)
        {
            await ReconnectAsync(receiver, sender);
            await sender.SendAsync(SyslogMessages.Batch(5, from: 5 * round));
            await Wait.UntilAsync(() => receiver.Messages.Count == 5 * (round + 1), $"batch {round} on the old certificate");
        }

        var refused = Assert.Single(logger.WithEvent(RefusedEvent));
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, refused.Level);
        Assert.Contains($"certificate {files.Certificate}", refused.Message, StringComparison.Ordinal);
        Assert.Empty(logger.WithEvent(ReloadedEvent));

        await SecretVolume.UpdateAsync(secret, _authority, renewed);
        await ReconnectAsync(receiver, sender);
        await sender.SendAsync(SyslogMessages.Batch(5, from: 15));
        await Wait.UntilAsync(() => receiver.Messages.Count == 20, "the last batch on the renewed certificate");

        Assert.Equal(["CN=node-1", "CN=node-1", "CN=node-1", "CN=node-1-renewed"], receiver.Connections.Select(c => c.ClientSubject));
        Assert.Equal(Texts(SyslogMessages.Batch(20)), receiver.Messages);
        var reloaded = Assert.Single(logger.WithEvent(ReloadedEvent));
        Assert.Contains("CN=node-1-renewed", reloaded.Message, StringComparison.Ordinal);
        Assert.Single(logger.WithEvent(RefusedEvent));
    }

    [Fact]
    public async Task ANewCaFileIsTrustedFromTheNextConnection()
    {
        // The receiver moves to a certificate from a new CA; the Forwarder's CA bundle follows it in the Secret.
        using var newAuthority = TestCertificates.CreateAuthority("next kube-syslog CA");
        using var newServer = TestCertificates.CreateServer(newAuthority);
        string secret = _directory.Combine("secret");
        var files = SecretVolume.Mount(secret, _authority, _client);
        var logger = new CollectingLogger();
        var receiver = LoopbackTlsReceiver.Start(_server);
        int port = receiver.Port;
        var options = Options(port, files);
        options.MaxRetryAttempts = 0;
        await using var sender = new TcpSyslogSender(options, logger);
        await sender.SendAsync(SyslogMessages.Batch(2));
        await Wait.UntilAsync(() => receiver.Messages.Count == 2, "the first batch");
        await receiver.DisposeAsync();

        await using var moved = LoopbackTlsReceiver.Start(newServer, port);
        var refused = await Assert.ThrowsAsync<IOException>(() => sender.SendAsync(SyslogMessages.Batch(2, from: 2)).AsTask());
        Assert.Contains("RemoteCertificateChainErrors", refused.Message, StringComparison.Ordinal);

        await SecretVolume.UpdateAsync(secret, newAuthority, _client);
        await sender.SendAsync(SyslogMessages.Batch(2, from: 2));

        await Wait.UntilAsync(() => moved.Messages.Count == 2, "the batch at the receiver with the new CA");
        Assert.Equal(Texts(SyslogMessages.Batch(2, from: 2)), moved.Messages);
        Assert.Single(logger.WithEvent(ReloadedEvent));
    }

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
        _authority.Dispose();
        _directory.Dispose();
    }

    /// <summary>The receiver ends the open connection; the sender sees it before its next write.</summary>
    private static async Task ReconnectAsync(LoopbackTlsReceiver receiver, TcpSyslogSender sender)
    {
        await receiver.Connections[^1].DisposeAsync();
        await Wait.UntilAsync(() => !sender.IsConnected, "the sender to see the connection closed");
    }

    private static SyslogSenderOptions Options(int port, (string Ca, string Certificate, string Key) files) => new()
    {
        Host = "127.0.0.1",
        Port = port,
        ReconnectDelay = TimeSpan.FromMilliseconds(20),
        MaxReconnectDelay = TimeSpan.FromMilliseconds(100),
        Tls = new SyslogTlsOptions
        {
            CaFile = files.Ca,
            CertificateFile = files.Certificate,
            KeyFile = files.Key,
            ServerName = TestCertificates.ServerName,
        },
    };

    private static List<string> Texts(IEnumerable<ReadOnlyMemory<byte>> messages) =>
        messages.Select(m => System.Text.Encoding.UTF8.GetString(m.Span)).ToList();
}
