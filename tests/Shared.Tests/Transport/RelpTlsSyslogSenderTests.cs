using System.Security.Cryptography.X509Certificates;
using System.Text;
using Shared.Transport;
using TestSupport;
using Answer = TestSupport.LoopbackRelpReceiver.Answer;

namespace Shared.Tests.Transport;

/// <summary>
/// RELP over TLS (omrelp's <c>tls="on"</c>): the session's pipes on an SslStream, against a loopback RELP receiver
/// that speaks TLS and requires a client certificate from the test CA.
/// </summary>
public sealed class RelpTlsSyslogSenderTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private readonly TempDirectory _directory = TempDirectory.Create(nameof(RelpTlsSyslogSenderTests));
    private readonly X509Certificate2 _authority = TestCertificates.CreateAuthority("kube-syslog test CA");
    private readonly X509Certificate2 _server;
    private readonly X509Certificate2 _client;
    private readonly (string Ca, string Certificate, string Key) _files;

    public RelpTlsSyslogSenderTests()
    {
        _server = TestCertificates.CreateServer(_authority);
        _client = TestCertificates.CreateClient(_authority, "node-1");
        _files = ClientTestCertificates.WriteSecret(_directory.Combine("secret"), _authority, _client);
    }

    [Fact]
    public async Task AFullWindowPipelinedOverTlsArrivesOnceInOrderAndIsAcknowledged()
    {
        await using var receiver = LoopbackRelpReceiver.Start(tls: ClientTestCertificates.ServerOptions(_server, _authority));
        await using var sender = new RelpSyslogSender(Options(receiver.Port, window: 64));

        // Messages bigger than a TLS record (16 KiB) among small ones: frames cross records and pipe segments.
        var lines = Enumerable.Range(0, 2000).Select(i => $"<13>1 - host app - - - m{i} " + new string('x', i % 100 == 0 ? 40_000 : 50)).ToList();
        await sender.SendAsync(Bytes(lines)).AsTask().WaitAsync(Patience);

        Assert.Equal(lines, receiver.Received);
        Assert.Equal(lines, receiver.Acknowledged);
        Assert.Equal(["CN=node-1"], receiver.ClientSubjects);
        Assert.Equal(2000, sender.Counters.MessagesSent);
        Assert.True(sender.IsConnected);
    }

    [Fact]
    public async Task WhatABrokenTlsSessionLeftUnansweredIsSentAgainOnTheNextOne()
    {
        await using var receiver = LoopbackRelpReceiver.Start(tls: ClientTestCertificates.ServerOptions(_server, _authority));
        receiver.Rule = (_, n) => n == 10 ? Answer.Reset : Answer.Ok;
        await using var sender = new RelpSyslogSender(Options(receiver.Port, window: 1));
        var lines = Lines(20);

        await sender.SendAsync(Bytes(lines)).AsTask().WaitAsync(Patience);

        Assert.Equal(lines, receiver.Acknowledged);
        Assert.Equal([.. lines[..11], .. lines[10..]], receiver.Received);
        Assert.Equal(["CN=node-1", "CN=node-1"], receiver.ClientSubjects);
    }

    [Fact]
    public async Task WithoutAClientCertificateTheReceiversRefusalIsTheLastError()
    {
        await using var receiver = LoopbackRelpReceiver.Start(tls: ClientTestCertificates.ServerOptions(_server, _authority));
        var options = Options(receiver.Port);
        options.Tls!.CertificateFile = null;
        options.Tls.KeyFile = null;
        options.MaxRetryAttempts = 0;
        await using var sender = new RelpSyslogSender(options);

        var error = await Assert.ThrowsAsync<IOException>(() => sender.SendAsync(Bytes(Lines(3))).AsTask().WaitAsync(Patience));

        Assert.Empty(receiver.Received);
        Assert.Empty(receiver.ClientSubjects);
        string start = $"relp+tls://127.0.0.1:{receiver.Port} ended the TLS session before answering RELP open (";
        Assert.StartsWith(start, error.Message, StringComparison.Ordinal);
        const string End = "a TLS 1.3 receiver does this when it refuses the client certificate, or the lack of one";
        Assert.EndsWith(End, error.Message, StringComparison.Ordinal);
        Assert.Equal(error.Message, sender.Counters.LastError);
    }

    [Theory]
    [InlineData("wrong-name", "RemoteCertificateNameMismatch (the certificate is not issued for 'other.test')")]
    [InlineData("untrusted", "RemoteCertificateChainErrors against the CA file")]
    [InlineData("expired", "NotTimeValid")]
    public async Task AServerCertificateThatMustNotBeTrustedIsRefusedBeforeAnyMessage(string problem, string reason)
    {
        using var otherAuthority = TestCertificates.CreateAuthority("some other CA");
        using var expired = ClientTestCertificates.CreateExpiredServer(_authority);
        var server = problem switch
        {
            "untrusted" => TestCertificates.CreateServer(otherAuthority),
            "expired" => expired,
            _ => _server,
        };
        await using var receiver = LoopbackRelpReceiver.Start(tls: ClientTestCertificates.ServerOptions(server, _authority));
        var options = Options(receiver.Port);
        options.MaxRetryAttempts = 0;
        if (problem == "wrong-name")
        {
            options.Tls!.ServerName = "other.test";
        }

        await using var sender = new RelpSyslogSender(options);

        var error = await Assert.ThrowsAsync<IOException>(() => sender.SendAsync(Bytes(Lines(3))).AsTask().WaitAsync(Patience));

        Assert.StartsWith($"TLS handshake with 127.0.0.1:{receiver.Port} failed: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Equal(error.Message, sender.Counters.LastError);
        Assert.Empty(receiver.Received);
    }

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
        _authority.Dispose();
        _directory.Dispose();
    }

    private SyslogSenderOptions Options(int port, int window = 128) => new()
    {
        Host = "127.0.0.1",
        Port = port,
        Protocol = SyslogTransportProtocol.Relp,
        RelpWindowSize = window,
        ReconnectDelay = TimeSpan.FromMilliseconds(20),
        MaxReconnectDelay = TimeSpan.FromMilliseconds(100),
        Tls = new SyslogTlsOptions
        {
            CaFile = _files.Ca,
            CertificateFile = _files.Certificate,
            KeyFile = _files.Key,
            ServerName = TestCertificates.ServerName,
        },
    };

    private static List<string> Lines(int count) => Enumerable.Range(0, count).Select(i => $"<13>1 - host app - - - m{i}").ToList();

    private static List<ReadOnlyMemory<byte>> Bytes(IEnumerable<string> lines) =>
        lines.Select(l => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(l)).ToList();
}
