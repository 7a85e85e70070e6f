using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Collector.Observability;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;

namespace Collector.Tests.Ingest.Tls;

/// <summary>
/// A TLS client on a real loopback socket that trusts only the test CA and checks the server's name, optionally with
/// a client certificate; and the switches that start a Collector with <c>--tls</c> and <c>--relp-tls</c>.
/// </summary>
internal sealed class TlsTestClient : IAsyncDisposable
{
    private TlsTestClient(TcpClient tcp, SslStream tls)
    {
        Tcp = tcp;
        Stream = tls;
    }

    public TcpClient Tcp { get; }

    public SslStream Stream { get; }

    public static string[] Switches(OpensslPki pki, params string[] more) =>
        ["--tls", "127.0.0.1:0", "--relp-tls", "127.0.0.1:0", "--tls-cert", pki.Server.Certificate, "--tls-key", pki.Server.Key, .. more];

    public static IPEndPoint TlsEndPoint(RunningCollector collector) => collector.Services.GetRequiredService<ListenerState>().Tls!;

    public static IPEndPoint RelpTlsEndPoint(RunningCollector collector) => collector.Services.GetRequiredService<ListenerState>().RelpTls!;

    public static async Task<TlsTestClient> ConnectAsync(
        IPEndPoint endPoint, OpensslPki pki, OpensslPki.Pair? client = null, SslProtocols protocols = SslProtocols.None)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(endPoint);
        var tls = new SslStream(tcp.GetStream());
        var trust = new X509Chain().ChainPolicy;
        trust.TrustMode = X509ChainTrustMode.CustomRootTrust;
        trust.CustomTrustStore.Add(X509Certificate2.CreateFromPem(File.ReadAllText(pki.CaCertificate)));
        trust.RevocationMode = X509RevocationMode.NoCheck;
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = OpensslPki.ServerName,
            CertificateChainPolicy = trust,
            EnabledSslProtocols = protocols,
        };
        if (client is not null)
        {
            options.ClientCertificates = [X509Certificate2.CreateFromPemFile(client.Certificate, client.Key)];
        }

        try
        {
            await tls.AuthenticateAsClientAsync(options).WaitAsync(Wait.DefaultTimeout);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }

        return new TlsTestClient(tcp, tls);
    }

    /// <summary>
    /// True when the server ends the connection (TLS 1.3 sends its verdict on the client certificate after the client
    /// finished its handshake, so a refusal shows on the first read or write, not in the handshake).
    /// </summary>
    public static async Task<bool> IsRefusedAsync(IPEndPoint endPoint, OpensslPki pki, OpensslPki.Pair? client)
    {
        TlsTestClient connection;
        try
        {
            connection = await ConnectAsync(endPoint, pki, client);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            return true;
        }

        await using (connection)
        {
            try
            {
                await connection.Stream.WriteAsync("<13>1 - h a - - - probe\n"u8.ToArray());
                var buffer = new byte[16];
                return await connection.Stream.ReadAsync(buffer).AsTask().WaitAsync(Wait.DefaultTimeout) == 0;
            }
            catch (Exception ex) when (ex is AuthenticationException or IOException)
            {
                return true;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync();
        Tcp.Dispose();
    }
}
