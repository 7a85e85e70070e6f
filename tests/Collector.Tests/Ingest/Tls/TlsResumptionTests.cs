using System.Net;
using TestSupport;

namespace Collector.Tests.Ingest.Tls;

/// <summary>
/// No TLS session resumption on the TLS listeners: a client that offers the session it was given gets a full
/// handshake, in which it presents its certificate again. Checked with the real <c>openssl s_client</c>, which says
/// whether a session was <c>New</c> or <c>Reused</c>.
/// </summary>
public sealed class TlsResumptionTests
{
    [PeerFact("openssl")]
    public async Task AClientOfferingTheSessionItWasGivenGetsAFullHandshake()
    {
        using var dir = TempDirectory.Create();
        var pki = await OpensslPki.CreateAsync(dir);
        var client = await pki.ClientAsync("node", "node-1.nodes.test");
        await using var collector = await RunningCollector.StartAsync(dir, TlsTestClient.Switches(pki, "--tls-client-ca", pki.CaCertificate));
        var endPoint = TlsTestClient.TlsEndPoint(collector);
        var session = dir.Combine("session.pem");

        // s_client writes -sess_out when the server's session ticket arrives after the handshake: its stdin stays
        // open until the file is there, as closing it ends s_client at once.
        using var first = Start(endPoint, pki, client, "-sess_out", session);
        var firstOutput = first.StandardOutput.ReadToEndAsync();
        await Wait.UntilAsync(() => File.Exists(session) && new FileInfo(session).Length > 0, "the session from the first connection");
        first.StandardInput.Close();
        await Wait.ForAsync(first.WaitForExitAsync(), "the first s_client to end");

        var second = await ProcessRunner.RunAsync("openssl", Arguments(endPoint, pki, client, "-sess_in", session), standardInput: []);

        Assert.Contains("New, TLSv1.3", await firstOutput, StringComparison.Ordinal);
        Assert.Contains("New, TLSv1.3", second.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("Reused", second.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(2, await collector.MetricAsync("kubesyslog_collector_tls_handshakes_total"));
    }

    private static string[] Arguments(IPEndPoint endPoint, OpensslPki pki, OpensslPki.Pair client, params string[] more) =>
    [
        "s_client", "-connect", endPoint.ToString(), "-servername", OpensslPki.ServerName, "-CAfile", pki.CaCertificate,
        "-cert", client.Certificate, "-key", client.Key, "-tls1_3", "-verify_return_error", .. more,
    ];

    private static System.Diagnostics.Process Start(IPEndPoint endPoint, OpensslPki pki, OpensslPki.Pair client, params string[] more)
    {
        var info = new System.Diagnostics.ProcessStartInfo("openssl")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in Arguments(endPoint, pki, client, more))
        {
            info.ArgumentList.Add(argument);
        }

        var process = System.Diagnostics.Process.Start(info) ?? throw new InvalidOperationException("could not start openssl s_client");
        // s_client's chatter on stderr is not read: drained so it never blocks on a full pipe.
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }
}
