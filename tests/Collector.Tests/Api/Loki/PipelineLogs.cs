using TestSupport;

namespace Collector.Tests.Api.Loki;

/// <summary>
/// A Collector holding a few lines whose messages are JSON, logfmt or plain text, for the LogQL pipeline tests: each
/// test reads the stored lines back to know the exact text the API must return.
/// </summary>
public sealed class PipelineLogs : IAsyncLifetime
{
    public const string Token = "loki-pipeline-token";

    private readonly TempDirectory _dir = TempDirectory.Create(nameof(PipelineLogs));

    public RunningCollector Collector { get; private set; } = null!;

    /// <summary>Severity codes: 3 err, 4 warning, 6 info.</summary>
    public List<GeneratedLog> Logs { get; } =
    [
        Log(0, "web", 6, "{\"status\":200,\"method\":\"GET\",\"path\":\"/a\",\"latency\":\"12ms\"}"),
        Log(1, "web", 3, "{\"status\":503,\"method\":\"POST\",\"path\":\"/b\",\"latency\":\"1.5s\"}"),
        Log(2, "web", 3, "{\"status\":500,\"method\":\"GET\",\"path\":\"/c\",\"latency\":\"250ms\",\"level\":\"error\"}"),
        Log(3, "web", 4, "status=404 method=GET path=/d"),
        Log(4, "web", 6, "not json at all"),
        Log(5, "db", 3, "{\"status\":502,\"method\":\"GET\",\"path\":\"/e\",\"latency\":\"2s\"}"),
    ];

    /// <summary>Every stored line, in storage order.</summary>
    public List<string> Stored { get; private set; } = [];

    public static long EpochNs => GeneratedLogs.Epoch.ToUnixTimeMilliseconds() * 1_000_000;

    public async Task InitializeAsync()
    {
        Collector = await RunningCollector.StartAsync(_dir.Combine("messages"), Token);
        using (var client = await Collector.ConnectAsync())
        {
            await GeneratedLogs.SendAsync(client.GetStream(), Logs);
        }

        await Collector.WaitForLinesAsync(Logs.Count);
        Stored = GeneratedLogs.ReadStoredLines(_dir.Combine("messages"));
    }

    public async Task DisposeAsync()
    {
        await Collector.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>The stored line of a generated one (its body is unique).</summary>
    public string StoredLine(int seq) => Assert.Single(Stored, s => s.Contains(Logs[seq].Body, StringComparison.Ordinal));

    public HttpClient Client()
    {
        var http = new HttpClient { BaseAddress = new Uri(Collector.BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
        return http;
    }

    private static GeneratedLog Log(int seq, string ns, int severity, string body) =>
        new(seq, GeneratedLogs.Epoch.AddSeconds(seq), ns, $"{ns}-0", "main", "node-1", "nginx", severity, body);
}
