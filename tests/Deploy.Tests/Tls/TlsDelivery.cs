using Collector;
using Forwarder;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using TestSupport;

namespace Deploy.Tests.Tls;

/// <summary>
/// The real Collector (RELP over TLS only, client certificates checked against <c>ca.crt</c>) and the real Forwarder
/// (its client pair, the CA, and the server name the manifests' target uses) in this process, with the certificates
/// of a make-certs.sh output directory, on a loopback port; one container log to write to.
/// </summary>
internal sealed class TlsDelivery : IAsyncDisposable
{
    private readonly WebApplication _collector;
    private readonly WebApplication _forwarder;
    private readonly string _messages;

    private TlsDelivery(WebApplication collector, WebApplication forwarder, string messages, ContainerLog log)
    {
        _collector = collector;
        _forwarder = forwarder;
        _messages = messages;
        Log = log;
    }

    public ContainerLog Log { get; }

    public static async Task<TlsDelivery> StartAsync(TempDirectory dir, string certs, string clientAuth, string serverName)
    {
        string messages = dir.Combine("messages");
        int port = PortReservations.Reserve();
        var settings = new Dictionary<string, string?>
        {
            ["Collector:Tcp"] = string.Empty,
            ["Collector:Udp"] = string.Empty,
            ["Collector:Relp"] = string.Empty,
            ["Collector:RelpTls"] = $"127.0.0.1:{port}",
            ["Collector:Http"] = "127.0.0.1:0",
            ["Collector:File"] = messages,
            ["Collector:TlsCert"] = Path.Combine(certs, "collector.crt"),
            ["Collector:TlsKey"] = Path.Combine(certs, "collector.key"),
            ["Collector:TlsClientCa"] = Path.Combine(certs, "ca.crt"),
            ["Collector:TlsClientAuth"] = clientAuth,
            ["Collector:LogLevel"] = "Warning",
        };
        var collector = CollectorApp.Build([], out var errors, b => b.Configuration.AddInMemoryCollection(settings))
            ?? throw new InvalidOperationException(string.Join("; ", errors));
        PortReservations.Release(port);
        await collector.StartAsync();

        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("shop", "web-0", "app", RuntimeFormat.Cri);
        var forwarder = ForwarderApp.Build(
            [
                "--include", tree.ContainersGlob, "--state", dir.Combine("state"), "--http", "127.0.0.1:0", "--node", "node-1",
                "--to", $"relp+tls://127.0.0.1:{port}", "--tls-server-name", serverName, "--tls-ca", Path.Combine(certs, "ca.crt"),
                "--tls-cert", Path.Combine(certs, "forwarder.crt"), "--tls-key", Path.Combine(certs, "forwarder.key"),
                "--max-retry-delay", "500ms", "--log-level", "Warning",
            ],
            out errors) ?? throw new InvalidOperationException(string.Join("; ", errors));
        await forwarder.StartAsync();
        return new TlsDelivery(collector, forwarder, messages, log);
    }

    /// <summary>The stored messages, once <paramref name="sentinel"/> is among them and the file is quiet.</summary>
    public async Task<List<string>> StoredUntilAsync(string sentinel)
    {
        await Wait.UntilAsync(() => Stored().Contains(sentinel), $"'{sentinel}' stored", TimeSpan.FromSeconds(60));
        await Wait.UntilQuietAsync(
            () => Stored().Count, TimeSpan.FromSeconds(1), "the messages file", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
        return Stored();
    }

    public async ValueTask DisposeAsync()
    {
        await _forwarder.StopAsync();
        await _forwarder.DisposeAsync();
        await _collector.StopAsync();
        await _collector.DisposeAsync();
    }

    private List<string> Stored() =>
        File.Exists(_messages) ? File.ReadAllLines(_messages).Select(StoredMessage.Of).ToList() : [];
}
