using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using TestSupport;

namespace Deploy.Tests.Local;

/// <summary>
/// deploy/local/run.sh as a user runs it (writer → Forwarder → Collector on loopback), plain by default and with
/// <c>--tls</c>: the demo containers' lines arrive, each container's in its file's order with nothing lost between,
/// repeated or invented (tests/containers/delivery.py compares them). With <c>--tls</c> the Forwarder's hop is RELP
/// over TLS with a client certificate, and a plain sender to the TLS port is refused. Every listener is moved to a port
/// reserved here (the defaults may be taken by another run on this machine); the programs are the ones this test
/// project built (RUN_NO_BUILD=1).
/// </summary>
public sealed class RunScriptTests
{
    private static readonly string[] Listeners =
    [
        "COLLECTOR_TCP", "COLLECTOR_RELP", "COLLECTOR_HTTP", "FORWARDER_HTTP", "COLLECTOR_TLS", "COLLECTOR_RELP_TLS", "COLLECTOR_HTTPS",
    ];

    [PeerFact("openssl", "python3")]
    public async Task WithTlsTheForwarderShipsOverRelpTlsWithItsCertificateAndAPlainSenderToTheTlsPortIsRefused()
    {
        using var dir = TempDirectory.Create();
        var ports = Listeners.ToDictionary(l => l, _ => PortReservations.Reserve());
        await using (var run = Start(dir, ports, "--tls"))
        {
            await DeliveredAsync(dir, run);
            Assert.True(File.Exists(dir.Combine("tls", "forwarder.crt")), "run.sh --tls made the certificates with make-tls.sh");
            Assert.True(await MetricAsync(ports, "kubesyslog_collector_tls_handshakes_total") >= 1);

            Assert.Contains(
                $"RELP session open with relp+tls://127.0.0.1:{ports["COLLECTOR_RELP_TLS"].ToString(CultureInfo.InvariantCulture)}",
                run.Output,
                StringComparison.Ordinal);

            using (var plain = new TcpClient())
            {
                await plain.ConnectAsync(IPAddress.Loopback, ports["COLLECTOR_TLS"]);
                await plain.GetStream().WriteAsync(Encoding.ASCII.GetBytes("<13>1 - - intruder - - - plain text to the TLS port\n"));
                await ClosedAsync(plain);
            }

            await Wait.UntilAsync(
                () => MetricAsync(ports, "kubesyslog_collector_tls_handshake_failures_total{reason=\"not_tls\"}").Result == 1, "the refusal counted");
            await StopAsync(run);
        }

        Assert.DoesNotContain(File.ReadLines(dir.Combine("messages")), l => l.Contains("intruder", StringComparison.Ordinal));
        await AssertDeliveryAsync(dir, "--prefix");
    }

    [PeerFact("python3")]
    public async Task PlainByDefaultTheForwarderShipsOverRelpAndNoTlsListenerRuns()
    {
        using var dir = TempDirectory.Create();
        var ports = Listeners.ToDictionary(l => l, _ => PortReservations.Reserve());
        await using (var run = Start(dir, ports))
        {
            await DeliveredAsync(dir, run);
            Assert.Contains(
                $"RELP session open with relp://127.0.0.1:{ports["COLLECTOR_RELP"].ToString(CultureInfo.InvariantCulture)}",
                run.Output,
                StringComparison.Ordinal);
            Assert.Equal(0, await MetricAsync(ports, "kubesyslog_collector_tls_handshakes_total"));
            Assert.False(Directory.Exists(dir.Combine("tls")));
            using var tls = new TcpClient();
            await Assert.ThrowsAsync<SocketException>(() => tls.ConnectAsync(IPAddress.Loopback, ports["COLLECTOR_TLS"]));
            await StopAsync(run);
        }

        await AssertDeliveryAsync(dir, "--prefix");
    }

    private static ForegroundProcess Start(TempDirectory dir, Dictionary<string, int> ports, params string[] args)
    {
        var environment = ports.ToDictionary(p => p.Key, p => $"127.0.0.1:{p.Value.ToString(CultureInfo.InvariantCulture)}");
        environment["DATA"] = dir.Path;
        environment["RUN_NO_BUILD"] = "1";
        foreach (int port in ports.Values)
        {
            PortReservations.Release(port);
        }

        return ForegroundProcess.Start("bash", [Repository.File("deploy/local/run.sh"), .. args], environment: environment);
    }

    /// <summary>Every demo container (and the plain agent.log) has at least 5 lines stored, in order.</summary>
    private static async Task DeliveredAsync(TempDirectory dir, ForegroundProcess run)
    {
        try
        {
            await Wait.UntilAsync(
                () => run.HasExited || DeliveryAsync(dir, "--prefix", "--min", "5").Result.ExitCode == 0,
                "5 lines of every demo container in the messages file",
                TimeSpan.FromSeconds(90));
        }
        catch (Xunit.Sdk.XunitException e)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message}\nrun.sh said:\n{run.Output}");
        }

        Assert.False(run.HasExited, $"run.sh exited:\n{run.Output}");
    }

    /// <summary>
    /// Each container's stored lines are a prefix of its file's (the writer stopped with the Forwarder, which may not
    /// have shipped the last of them): nothing lost between, repeated, reordered or invented.
    /// </summary>
    private static async Task AssertDeliveryAsync(TempDirectory dir, params string[] mode)
    {
        var result = await DeliveryAsync(dir, mode);
        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
    }

    private static Task<ProcessRunner.Result> DeliveryAsync(TempDirectory dir, params string[] mode) =>
        ProcessRunner.RunAsync(
            "python3",
            [
                Repository.File("tests/containers/delivery.py"), "check", dir.Combine("demo"), dir.Combine("demo"), dir.Combine("messages"),
                "--plain", "var/lib/gravity/site/update/agent.log", .. mode,
            ],
            TimeSpan.FromSeconds(30));

    private static async Task<double> MetricAsync(Dictionary<string, int> ports, string sample)
    {
        using var http = new HttpClient();
        string text = await http.GetStringAsync($"http://127.0.0.1:{ports["COLLECTOR_HTTP"].ToString(CultureInfo.InvariantCulture)}/metrics");
        string line = text.Split('\n').FirstOrDefault(l => l.StartsWith(sample + " ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"no metric {sample}");
        return double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }

    private static async Task ClosedAsync(TcpClient client)
    {
        var buffer = new byte[256];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            while (await client.GetStream().ReadAsync(buffer, timeout.Token) > 0)
            {
            }
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Ctrl-C's way: SIGTERM to the script, which stops the three and waits for them.</summary>
    private static async Task StopAsync(ForegroundProcess run)
    {
        var kill = await ProcessRunner.RunAsync("kill", ["-TERM", run.Id.ToString(CultureInfo.InvariantCulture)]);
        Assert.Equal(0, kill.ExitCode);
        await Wait.ForAsync(run.WaitForExitAsync(), "run.sh to stop", TimeSpan.FromSeconds(60));
    }
}
