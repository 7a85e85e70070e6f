using System.Globalization;
using Collector.Observability;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;

namespace Deploy.Tests.Benchmarks;

/// <summary>
/// tests/Benchmarks/tls/connect-client.c, the C load client of tls-connect-rate.py, built as the script builds it and
/// run against the real Collector requiring client certificates: what it claims per connection must match what the
/// Collector stored, and a connection it cannot verify must fail with its reason and send nothing.
/// </summary>
public sealed class ConnectClientTests
{
    private const string Source = "tests/Benchmarks/tls/connect-client.c";
    private const string Node = "conn-node";

    [ConnectClientFact]
    public async Task TwoInterleavedProcessesOpenEveryScheduledConnectionAndEachMessageIsStoredOnce()
    {
        using var dir = TempDirectory.Create();
        var client = await BuildAsync(dir);
        var pki = await OpensslPki.CreateAsync(dir);
        var pair = await pki.ClientAsync("conn", Node);
        await using var collector = await RunningCollector.StartAsync(dir, Switches(pki));
        var port = TlsPort(collector);

        // As the script splits the schedule: process k takes connections k, k+2, k+4 of six, due 20 ms apart.
        var start = StartInAMoment();
        var runs = await Task.WhenAll(
            RunAsync(client, port, OpensslPki.ServerName, pki, pair, start, first: 0),
            RunAsync(client, port, OpensslPki.ServerName, pki, pair, start, first: 1));

        Assert.Equal([0, 2, 4], runs[0].Select(c => c.Index));
        Assert.Equal([1, 3, 5], runs[1].Select(c => c.Index));
        Assert.All(runs.SelectMany(r => r), c => Assert.True(c.Ok, $"connection {c.Index}: {c.Error}"));
        Assert.All(runs.SelectMany(r => r), c => Assert.InRange(c.Handshake, 1e-6, 30));
        await collector.WaitForLinesThenQuietAsync(6);
        // Six connections race each other into the file, so the order is not theirs to keep: sorted, the exact list.
        string[] expected = [.. Enumerable.Range(0, 6).Select(i => $"conn id={i:D7}")];
        Assert.Equal(expected, collector.ReadLines().Select(StoredMessage.Of).Order(StringComparer.Ordinal));
        Assert.Equal(6, await collector.MetricAsync("kubesyslog_collector_tls_handshakes_total"));
    }

    [ConnectClientFact]
    public async Task AServerOfAnotherNameFailsEveryConnectionWithTheReasonAndNothingIsStored()
    {
        using var dir = TempDirectory.Create();
        var client = await BuildAsync(dir);
        var pki = await OpensslPki.CreateAsync(dir);
        var pair = await pki.ClientAsync("conn", Node);
        await using var collector = await RunningCollector.StartAsync(dir, Switches(pki));

        var run = await RunAsync(client, TlsPort(collector), "other.test", pki, pair, StartInAMoment(), first: 0);

        Assert.Equal([0, 2, 4], run.Select(c => c.Index));
        Assert.All(run, c => Assert.False(c.Ok));
        Assert.All(run, c => Assert.Contains("certificate verify failed", c.Error, StringComparison.Ordinal));
        // The client ended after each server closed on it, and a failed handshake sent no application data.
        Assert.Empty(collector.ReadLines());
        Assert.Equal(0, await collector.MetricAsync("kubesyslog_collector_tls_handshakes_total"));
    }

    [ConnectClientFact]
    public async Task APortNobodyListensOnFailsEveryConnectionAsRefused()
    {
        using var dir = TempDirectory.Create();
        var client = await BuildAsync(dir);
        var pki = await OpensslPki.CreateAsync(dir);
        var pair = await pki.ClientAsync("conn", Node);
        var port = PortReservations.Reserve();
        try
        {
            var run = await RunAsync(client, port, OpensslPki.ServerName, pki, pair, StartInAMoment(), first: 1);

            Assert.Equal([1, 3, 5], run.Select(c => c.Index));
            Assert.All(run, c => Assert.Equal("OSError: connect: Connection refused", c.Error));
        }
        finally
        {
            PortReservations.Release(port);
        }
    }

    private sealed record Connection(long Index, bool Ok, double Handshake, string Error);

    private static string[] Switches(OpensslPki pki) =>
    [
        "--tls", "127.0.0.1:0", "--tls-cert", pki.Server.Certificate, "--tls-key", pki.Server.Key,
        "--tls-client-ca", pki.CaCertificate, "--tls-client-auth", "certvalid",
    ];

    private static int TlsPort(RunningCollector collector) => collector.Services.GetRequiredService<ListenerState>().Tls!.Port;

    private static double StartInAMoment() => TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0 + 0.2;

    // The same command line as build_c_client in tls-connect-rate.py, warnings made errors here.
    private static async Task<string> BuildAsync(TempDirectory dir)
    {
        var binary = dir.Combine("connect-client");
        var built = await ProcessRunner.RunAsync(
            "cc", ["-O2", "-Wall", "-Wextra", "-Werror", "-o", binary, Repository.File(Source), "-lssl", "-lcrypto"], TimeSpan.FromSeconds(60));
        Assert.True(built.ExitCode == 0, $"cc {Source}: {built.StandardError}");
        return binary;
    }

    private static async Task<List<Connection>> RunAsync(
        string client, int port, string serverName, OpensslPki pki, OpensslPki.Pair pair, double start, int first)
    {
        var inv = CultureInfo.InvariantCulture;
        var result = await ProcessRunner.RunAsync(
            client,
            ["127.0.0.1", port.ToString(inv), serverName, pki.CaCertificate, pair.Certificate, pair.Key, Node, "50",
                start.ToString("F3", inv), first.ToString(inv), "2", "6", "10"],
            TimeSpan.FromSeconds(30));
        Assert.True(result.ExitCode == 0, $"connect-client exited {result.ExitCode}: {result.StandardError}");

        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^cpu\t\d+\.\d{6}\t\d+\.\d{6}$", lines[^1]);
        return
        [
            .. lines[..^1].Select(l => l.Split('\t')).Select(f => new Connection(
                long.Parse(f[0], inv), f[1] == "1", double.Parse(f[3], inv), f[5])),
        ];
    }
}
