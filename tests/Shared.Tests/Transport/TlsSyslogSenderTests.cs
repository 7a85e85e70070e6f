using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using Shared.Transport;
using TestSupport;

namespace Shared.Tests.Transport;

public sealed class TlsSyslogSenderTests : IDisposable
{
    private const int RetryingEvent = 903;

    private readonly TempDirectory _directory = TempDirectory.Create(nameof(TlsSyslogSenderTests));
    private readonly X509Certificate2 _authority = TestCertificates.CreateAuthority("kube-syslog test CA");
    private readonly X509Certificate2 _server;

    public TlsSyslogSenderTests() => _server = TestCertificates.CreateServer(_authority);

    [Fact]
    public async Task DeliversOverTlsWhenTheServerCertificateIsIssuedByTheConfiguredCa()
    {
        await using var receiver = LoopbackTlsReceiver.Start(_server);
        await using var sender = new TcpSyslogSender(Options(receiver.Port));
        var batch = SyslogMessages.Batch(20);

        await sender.SendAsync(batch);

        await Wait.UntilAsync(() => receiver.Messages.Count == 20, "the batch");
        Assert.Equal(Texts(batch), receiver.Messages);
        Assert.Equal(TestCertificates.ServerName, receiver.Connections.Single().ServerName);
        Assert.True(sender.IsConnected);
        Assert.Null(sender.Counters.LastError);
        Assert.Equal(20, sender.Counters.MessagesSent);
    }

    [Fact]
    public async Task WithoutServerNameTheHostIsTheNameTheCertificateMustCarry()
    {
        await using var receiver = LoopbackTlsReceiver.Start(_server);
        var options = Options(receiver.Port);
        options.Tls!.ServerName = null;
        await using var sender = new TcpSyslogSender(options);

        await sender.SendAsync(SyslogMessages.Numbered(1));

        await Wait.UntilAsync(() => receiver.Messages.Count == 1, "the message");
    }

    [Fact]
    public async Task DeliversWithAClientCertificateWhenTheReceiverRequiresOne()
    {
        await using var receiver = LoopbackTlsReceiver.Start(_server, clientAuthority: _authority);
        using var client = TestCertificates.CreateClient(_authority);
        var options = Options(receiver.Port);
        options.Tls!.CertificateFile = TestCertificates.WritePem(_directory.Combine("client.crt"), client);
        options.Tls.KeyFile = TestCertificates.WriteKey(_directory.Combine("client.key"), client);
        await using var sender = new TcpSyslogSender(options);

        await sender.SendAsync(SyslogMessages.Batch(5));

        await Wait.UntilAsync(() => receiver.Messages.Count == 5, "the batch");
        Assert.Equal("CN=forwarder", receiver.Connections.Single().ClientSubject);
    }

    [Fact]
    public async Task IntermediatesLinkBothCertificatesToRootsThatAreTheOnlyTrustedCas()
    {
        // Server and client certificates come from intermediates; each side trusts only the root and gets the
        // intermediate from the other side in the handshake (the client's from the lines after its certificate).
        using var serverIntermediate = TestCertificates.CreateAuthority("server intermediate", _authority);
        using var server = TestCertificates.CreateServer(serverIntermediate);
        using var clientRoot = TestCertificates.CreateAuthority("client root");
        using var clientIntermediate = TestCertificates.CreateAuthority("client intermediate", clientRoot);
        using var client = TestCertificates.CreateClient(clientIntermediate);
        await using var receiver = LoopbackTlsReceiver.Start(server, intermediates: [serverIntermediate], clientAuthority: clientRoot);
        var options = Options(receiver.Port);
        options.Tls!.CertificateFile = TestCertificates.WritePem(_directory.Combine("client.crt"), client, clientIntermediate);
        options.Tls.KeyFile = TestCertificates.WriteKey(_directory.Combine("client.key"), client);
        await using var sender = new TcpSyslogSender(options);

        await sender.SendAsync(SyslogMessages.Numbered(1));

        await Wait.UntilAsync(() => receiver.Messages.Count == 1, "the message");
        Assert.Equal("CN=forwarder", receiver.Connections.Single().ClientSubject);
    }

    [Fact]
    public async Task AServerCertificateFromAnotherCaIsRetriedUntilCancelledAndNamedInLastError()
    {
        using var otherAuthority = TestCertificates.CreateAuthority("some other CA");
        await using var receiver = LoopbackTlsReceiver.Start(_server);
        var logger = new CollectingLogger();
        var options = Options(receiver.Port);
        options.Tls!.CaFile = TestCertificates.WritePem(_directory.Combine("other-ca.crt"), otherAuthority);
        var sender = new TcpSyslogSender(options, logger);
        using var cancellation = new CancellationTokenSource();

        var sending = sender.SendAsync(SyslogMessages.Batch(3), cancellation.Token).AsTask();
        await Wait.UntilAsync(() => logger.WithEvent(RetryingEvent).Count >= 3, "three refused handshakes, retried");

        Assert.False(sending.IsCompleted);
        string? lastError = sender.Counters.LastError;
        Assert.NotNull(lastError);
        Assert.StartsWith(
            $"TLS handshake with 127.0.0.1:{receiver.Port} failed: RemoteCertificateChainErrors against the CA file '{options.Tls.CaFile}':",
            lastError);
        Assert.Contains("CN=kube-syslog test CA", lastError);
        Assert.NotNull(sender.Counters.LastErrorAt);
        Assert.IsType<IOException>(logger.WithEvent(RetryingEvent)[0].Exception);
        Assert.False(sender.IsConnected);
        Assert.Empty(receiver.Messages);

        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Wait.ForAsync(sending, "the cancelled send"));
        await Wait.ForAsync(sender.DisposeAsync().AsTask(), "dispose");
        Assert.Equal(0, sender.Counters.MessagesSent);
    }

    [Fact]
    public async Task WithoutCaFileThePrivateCaIsNotTrusted()
    {
        await using var receiver = LoopbackTlsReceiver.Start(_server);
        var options = Options(receiver.Port, retries: 0);
        options.Tls!.CaFile = null;
        await using var sender = new TcpSyslogSender(options);

        var error = await Assert.ThrowsAsync<IOException>(async () => await sender.SendAsync(SyslogMessages.Numbered(1)));

        Assert.Contains("RemoteCertificateChainErrors against the system trust store", error.Message);
        Assert.Equal(error.Message, sender.Counters.LastError);
    }

    [Fact]
    public async Task ACertificateForAnotherNameIsRefused()
    {
        await using var receiver = LoopbackTlsReceiver.Start(_server);
        var options = Options(receiver.Port, retries: 1);
        options.Tls!.ServerName = "collector.other.test";
        var logger = new CollectingLogger();
        await using var sender = new TcpSyslogSender(options, logger);

        var error = await Assert.ThrowsAsync<IOException>(async () => await sender.SendAsync(SyslogMessages.Numbered(1)));

        Assert.Equal(
            $"TLS handshake with 127.0.0.1:{receiver.Port} failed: RemoteCertificateNameMismatch (the certificate is " +
            "not issued for 'collector.other.test')",
            error.Message);
        Assert.Single(logger.WithEvent(RetryingEvent));
        Assert.Empty(receiver.Messages);
    }

    [Fact]
    public async Task ACertificateForAnotherNameIsAcceptedWhenTheNameCheckIsOff()
    {
        await using var receiver = LoopbackTlsReceiver.Start(_server);
        var options = Options(receiver.Port);
        options.Tls!.ServerName = "collector.other.test";
        options.Tls.CheckServerName = false;
        await using var sender = new TcpSyslogSender(options);

        await sender.SendAsync(SyslogMessages.Numbered(1));

        await Wait.UntilAsync(() => receiver.Messages.Count == 1, "the message");
        Assert.Equal("collector.other.test", receiver.Connections.Single().ServerName);
    }

    [Fact]
    public async Task WithTheNameCheckOffTheCaIsStillChecked()
    {
        using var otherAuthority = TestCertificates.CreateAuthority("some other CA");
        await using var receiver = LoopbackTlsReceiver.Start(_server);
        var options = Options(receiver.Port, retries: 0);
        options.Tls!.CaFile = TestCertificates.WritePem(_directory.Combine("other-ca.crt"), otherAuthority);
        options.Tls.CheckServerName = false;
        await using var sender = new TcpSyslogSender(options);

        var error = await Assert.ThrowsAsync<IOException>(async () => await sender.SendAsync(SyslogMessages.Numbered(1)));

        Assert.Contains("RemoteCertificateChainErrors", error.Message);
    }

    [Fact]
    public async Task AfterTheReceiverRestartsTheNextBatchArrivesOnANewTlsConnection()
    {
        var receiver = LoopbackTlsReceiver.Start(_server);
        int port = receiver.Port;
        await using var sender = new TcpSyslogSender(Options(port));
        var first = SyslogMessages.Batch(10);
        var second = SyslogMessages.Batch(10, from: 10);
        await sender.SendAsync(first);
        await Wait.UntilAsync(() => receiver.Messages.Count == 10, "the first batch");

        await receiver.DisposeAsync();
        await Wait.UntilAsync(() => !sender.IsConnected, "the sender to see the connection closed");
        await using var restarted = LoopbackTlsReceiver.Start(_server, port);
        await sender.SendAsync(second);

        // The TLS session ends with close_notify or a bare FIN; either way the batch must not go into the old
        // connection, where it would be lost.
        await Wait.UntilAsync(() => restarted.Messages.Count == 10, "the second batch");
        Assert.Equal(Texts(second), restarted.Messages);
        Assert.Equal(1, sender.Counters.Reconnects);
        Assert.Equal(20, sender.Counters.MessagesSent);
    }

    [Fact]
    public async Task AReceiverThatStaysSilentInTheHandshakeTimesOutAfterTheConnectTimeout()
    {
        // A plain TCP peer reads the ClientHello and never answers it; the clock moves only when told to.
        await using var receiver = LoopbackTcpReceiver.Start();
        var time = new FakeTimeProvider();
        var options = Options(receiver.Port, retries: 0);
        options.ConnectTimeout = TimeSpan.FromSeconds(5);
        await using var sender = new TcpSyslogSender(options, timeProvider: time);

        var sending = sender.SendAsync(SyslogMessages.Numbered(1)).AsTask();
        await Wait.UntilAsync(() => receiver.TotalBytes > 0, "the ClientHello");
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(sending.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<TimeoutException>(() => Wait.ForAsync(sending, "the handshake timeout"));
        Assert.Equal($"TLS handshake with 127.0.0.1:{receiver.Port} took longer than 00:00:05.", error.Message);
        Assert.Equal(error.Message, sender.Counters.LastError);
        Assert.Equal(time.GetUtcNow(), sender.Counters.LastErrorAt);
    }

    [Fact]
    public async Task CancellingDuringTheHandshakeEndsTheSend()
    {
        await using var receiver = LoopbackTcpReceiver.Start();
        var options = Options(receiver.Port);
        options.ConnectTimeout = TimeSpan.FromMinutes(5);
        await using var sender = new TcpSyslogSender(options);
        using var cancellation = new CancellationTokenSource();

        var sending = sender.SendAsync(SyslogMessages.Numbered(1), cancellation.Token).AsTask();
        await Wait.UntilAsync(() => receiver.TotalBytes > 0, "the ClientHello");
        await cancellation.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Wait.ForAsync(sending, "the cancelled handshake"));
        Assert.Equal(cancellation.Token, error.CancellationToken);
        Assert.Null(sender.Counters.LastError);
    }

    public void Dispose()
    {
        _server.Dispose();
        _authority.Dispose();
        _directory.Dispose();
    }

    private static List<string> Texts(IEnumerable<ReadOnlyMemory<byte>> messages) =>
        messages.Select(m => System.Text.Encoding.UTF8.GetString(m.Span)).ToList();

    private SyslogSenderOptions Options(int port, int retries = int.MaxValue)
    {
        var options = TcpSyslogSenderTests.Options(port);
        options.MaxRetryAttempts = retries;
        options.Tls = new SyslogTlsOptions
        {
            CaFile = TestCertificates.WritePem(_directory.Combine("ca.crt"), _authority),
            ServerName = TestCertificates.ServerName,
        };
        return options;
    }
}
