using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Shared.Framing;
using Shared.Transport;
using TestSupport;

namespace Shared.Tests.Transport;

/// <summary>
/// Our TLS sender against <c>openssl s_server</c>, a TLS stack other than the one .NET brings, which also says why it
/// refuses a client (a TLS alert) where .NET's server only closes the connection.
/// </summary>
public sealed partial class OpenSslInteropTests : IDisposable
{
    private readonly TempDirectory _directory = TempDirectory.Create(nameof(OpenSslInteropTests));
    private readonly X509Certificate2 _authority = TestCertificates.CreateAuthority("kube-syslog test CA");
    private readonly X509Certificate2 _server;

    public OpenSslInteropTests() => _server = TestCertificates.CreateServer(_authority);

    [PeerFact("openssl")]
    public async Task OpenSslReceivesEveryLineWithTheClientCertificateItRequires()
    {
        using var client = TestCertificates.CreateClient(_authority);
        await using var openssl = await StartServerAsync(requireClientCertificate: true);
        var options = Options(openssl.Port);
        options.Tls!.CertificateFile = TestCertificates.WritePem(_directory.Combine("client.crt"), client);
        options.Tls.KeyFile = TestCertificates.WriteKey(_directory.Combine("client.key"), client);
        await using var sender = new TcpSyslogSender(options);
        var batch = SyslogMessages.Batch(5);

        await sender.SendAsync(batch);

        // s_server prints what it decrypts; with LF framing that is one message per line.
        var expected = batch.Select(m => System.Text.Encoding.UTF8.GetString(m.Span)).ToList();
        await Wait.UntilAsync(() => expected.All(openssl.Process.Output.Contains), "every message in s_server's output");
        Assert.Null(sender.Counters.LastError);
    }

    [PeerFact("openssl")]
    public async Task TheAlertOfAReceiverRefusingUsWithoutAClientCertificateIsTheLastError()
    {
        await using var openssl = await StartServerAsync(requireClientCertificate: true);
        var options = Options(openssl.Port);
        options.MaxRetryAttempts = 0;
        await using var sender = new TcpSyslogSender(options);

        // TLS 1.3: our side of the handshake completes before the server looks at our (missing) certificate, so the
        // alert comes after it; depending on timing the write fails or succeeds into a session the server has ended,
        // and an alert that arrives as the write fails may be dropped with the connection: the next attempt has it.
        for (int attempt = 1; !HasAlert(sender.Counters.LastError); attempt++)
        {
            Assert.True(attempt <= 5, $"No alert after 5 sends; last error: {sender.Counters.LastError}");
            await Record.ExceptionAsync(async () => await sender.SendAsync(SyslogMessages.Numbered(attempt)));
            await Wait.UntilAsync(() => !sender.IsConnected, "the refused connection to close");
        }

        Assert.StartsWith($"TLS connection to 127.0.0.1:{openssl.Port} was ended by the peer:", sender.Counters.LastError);

        static bool HasAlert(string? error) => error?.Contains("alert certificate required", StringComparison.Ordinal) == true;
    }

    public void Dispose()
    {
        _server.Dispose();
        _authority.Dispose();
        _directory.Dispose();
    }

    private async Task<OpenSslServer> StartServerAsync(bool requireClientCertificate)
    {
        string certificate = TestCertificates.WritePem(_directory.Combine("server.crt"), _server);
        string key = TestCertificates.WriteKey(_directory.Combine("server.key"), _server);
        string authority = TestCertificates.WritePem(_directory.Combine("ca.crt"), _authority);
        string verify = requireClientCertificate ? $"-Verify 1 -verify_return_error -CAfile '{authority}'" : string.Empty;

        // s_server ends at EOF on stdin, so it gets a stdin that stays open; ForegroundProcess kills the whole tree.
        var process = ForegroundProcess.Start(
            "sh",
            [
                "-c",
                $"sleep 600 | '{Peers.Require("openssl")}' s_server -accept 127.0.0.1:0 " +
                $"-cert '{certificate}' -key '{key}' {verify} -ign_eof",
            ]);
        try
        {
            // Port 0: s_server prints the address it bound ("ACCEPT 127.0.0.1:43221"), so no port is picked in advance
            // for another test to take first.
            Match accept = Match.Empty;
            await Wait.UntilAsync(() => (accept = AcceptLine().Match(process.Output)).Success || process.HasExited, "s_server to listen");
            Assert.False(process.HasExited, process.Output);
            return new OpenSslServer(process, int.Parse(accept.Groups[1].Value, CultureInfo.InvariantCulture));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    private SyslogSenderOptions Options(int port)
    {
        var options = TcpSyslogSenderTests.Options(port, SyslogFraming.LineFeed);
        options.Tls = new SyslogTlsOptions
        {
            CaFile = TestCertificates.WritePem(_directory.Combine("ca.crt"), _authority),
            ServerName = TestCertificates.ServerName,
        };
        return options;
    }

    [GeneratedRegex(@"ACCEPT 127\.0\.0\.1:(\d+)")]
    private static partial Regex AcceptLine();

    private sealed record OpenSslServer(ForegroundProcess Process, int Port) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Process.DisposeAsync();
    }
}
