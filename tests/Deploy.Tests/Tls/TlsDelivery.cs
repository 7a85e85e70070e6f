using System.Globalization;
using Collector;
using Collector.Observability;
using Forwarder;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;

namespace Deploy.Tests.Tls;

/// <summary>
/// The real Collector (RELP over TLS only, client certificates checked against <c>ca.crt</c>) and real Forwarders
/// (each with a client pair, the CA, and the server name the manifests' target uses) in this process, with the
/// certificates of a make-certs.sh output directory, on a loopback port; one container log per Forwarder to write to.
/// </summary>
internal sealed class TlsDelivery : IAsyncDisposable
{
    private readonly WebApplication _collector;
    private readonly List<WebApplication> _forwarders = [];
    private readonly List<TempDirectory> _nodes = [];
    private readonly string _messages;
    private readonly string _certs;
    private readonly string _serverName;
    private readonly int _port;

    private TlsDelivery(WebApplication collector, string messages, string certs, string serverName, int port)
    {
        _collector = collector;
        _messages = messages;
        _certs = certs;
        _serverName = serverName;
        _port = port;
    }

    /// <summary>The log of the Forwarder <see cref="StartAsync"/> started with the shared client pair.</summary>
    public ContainerLog Log { get; private set; } = null!;

    /// <summary>The Collector and a Forwarder of <c>node-1</c> with the shared <c>forwarder.crt</c>.</summary>
    public static async Task<TlsDelivery> StartAsync(TempDirectory dir, string certs, string clientAuth, string serverName)
    {
        var delivery = await StartCollectorAsync(dir, certs, clientAuth, serverName);
        delivery.Log = await delivery.AddForwarderAsync("node-1", Path.Combine(certs, "forwarder.crt"), Path.Combine(certs, "forwarder.key"));
        return delivery;
    }

    /// <summary>
    /// The Collector alone; <paramref name="settings"/> (env-file keys such as <c>Collector__IdentityFromCert</c>, as a
    /// component merges them) are layered over the TLS ones.
    /// </summary>
    public static async Task<TlsDelivery> StartCollectorAsync(
        TempDirectory dir, string certs, string clientAuth, string serverName, IReadOnlyDictionary<string, string>? settings = null)
    {
        string messages = dir.Combine("messages");
        int port = PortReservations.Reserve();
        var configuration = new Dictionary<string, string?>
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
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            configuration[key.Replace("__", ":", StringComparison.Ordinal)] = value;
        }

        var collector = CollectorApp.Build([], out var errors, b => b.Configuration.AddInMemoryCollection(configuration))
            ?? throw new InvalidOperationException(string.Join("; ", errors));
        PortReservations.Release(port);
        await collector.StartAsync();
        return new TlsDelivery(collector, messages, certs, serverName, port);
    }

    /// <summary>A Forwarder of <paramref name="node"/> (its HOSTNAME) showing the given client pair.</summary>
    public async Task<ContainerLog> AddForwarderAsync(string node, string certificate, string key)
    {
        var dir = TempDirectory.Create(node);
        _nodes.Add(dir);
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("shop", "web-0", "app", RuntimeFormat.Cri);
        var forwarder = ForwarderApp.Build(
            [
                "--include", tree.ContainersGlob, "--state", dir.Combine("state"), "--http", "127.0.0.1:0", "--node", node,
                "--to", $"relp+tls://127.0.0.1:{_port}", "--tls-server-name", _serverName, "--tls-ca", Path.Combine(_certs, "ca.crt"),
                "--tls-cert", certificate, "--tls-key", key, "--max-retry-delay", "500ms", "--log-level", "Warning",
            ],
            out var errors) ?? throw new InvalidOperationException(string.Join("; ", errors));
        _forwarders.Add(forwarder);
        await forwarder.StartAsync();
        return log;
    }

    /// <summary>The stored messages, once <paramref name="sentinel"/> is among them and the file is quiet.</summary>
    public async Task<List<string>> StoredUntilAsync(string sentinel)
    {
        await Wait.UntilAsync(() => Stored().Contains(sentinel), $"'{sentinel}' stored", TimeSpan.FromSeconds(60));
        await Wait.UntilQuietAsync(
            () => Stored().Count, TimeSpan.FromSeconds(1), "the messages file", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
        return Stored();
    }

    /// <summary>The stored lines whole (timestamp, HOSTNAME, …), unlike <see cref="StoredUntilAsync"/>.</summary>
    public string[] StoredLines() => File.Exists(_messages) ? File.ReadAllLines(_messages) : [];

    /// <summary>The sum of the Collector's samples of <paramref name="metric"/> carrying every label given.</summary>
    public async Task<double> MetricAsync(string metric, params string[] labels)
    {
        var http = _collector.Services.GetRequiredService<ListenerState>().Http!;
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        string text = await client.GetStringAsync(new Uri($"http://{http}/metrics"));
        return text.Split('\n')
            .Where(l => l.StartsWith(metric + "{", StringComparison.Ordinal) || l.StartsWith(metric + " ", StringComparison.Ordinal))
            .Where(l => labels.All(label => l.Contains(label, StringComparison.Ordinal)))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var forwarder in _forwarders)
        {
            await forwarder.StopAsync();
            await forwarder.DisposeAsync();
        }

        await _collector.StopAsync();
        await _collector.DisposeAsync();
        _nodes.ForEach(n => n.Dispose());
    }

    private List<string> Stored() => StoredLines().Select(StoredMessage.Of).ToList();
}
