using System.Globalization;
using System.Net;
using System.Text.Json;
using TestSupport;

namespace Collector.Tests.Api.Loki;

/// <summary>
/// A Collector with an API token holding <see cref="Count"/> generated lines, and the expectations a test computes by
/// brute force from them: each line's labels as the Loki API must show them.
/// </summary>
public sealed class LokiLogs : IAsyncLifetime
{
    public const string Token = "loki-test-token";
    public const int Count = 300;

    private readonly TempDirectory _dir = TempDirectory.Create(nameof(LokiLogs));

    public RunningCollector Collector { get; private set; } = null!;

    public List<GeneratedLog> Logs { get; } = GeneratedLogs.Create(Count, seed: 17);

    public static long EpochNs => GeneratedLogs.Epoch.ToUnixTimeMilliseconds() * 1_000_000;

    /// <summary>Start and end (ns) that hold every generated line.</summary>
    public static (long Start, long End) Everything => (EpochNs - 3_600_000_000_000, EpochNs + (2 * 3_600_000_000_000));

    public async Task InitializeAsync()
    {
        Collector = await RunningCollector.StartAsync(_dir.Combine("messages"), Token);
        using (var client = await Collector.ConnectAsync())
        {
            await GeneratedLogs.SendAsync(client.GetStream(), Logs);
        }

        await Collector.WaitForLinesAsync(Count);
    }

    public async Task DisposeAsync()
    {
        await Collector.DisposeAsync();
        _dir.Dispose();
    }

    public HttpClient Client(string? token = Token)
    {
        var http = new HttpClient { BaseAddress = new Uri(Collector.BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return http;
    }

    /// <summary>The labels the Loki API shows for a generated line (level as Grafana names it).</summary>
    public static SortedDictionary<string, string> LabelsOf(GeneratedLog log)
    {
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (string name in new[] { "namespace", "pod", "container", "host", "app", "severity" })
        {
            if (log.Label(name).Length > 0)
            {
                labels[name] = log.Label(name);
            }
        }

        string level = log.Severity switch { <= 2 => "critical", 3 => "error", 4 => "warn", 5 or 6 => "info", _ => "debug" };
        labels["level"] = level;
        labels["detected_level"] = level;
        return labels;
    }

    public static string Ns(long ns) => ns.ToString(CultureInfo.InvariantCulture);

    /// <summary>GET and parse: status, content type and the JSON body (null when it is not JSON).</summary>
    public static async Task<(HttpStatusCode Status, string? MediaType, string Text, JsonElement Json)> GetAsync(HttpClient http, string url)
    {
        using var response = await http.GetAsync(url);
        string text = await response.Content.ReadAsStringAsync();
        JsonElement json = default;
        if (response.Content.Headers.ContentType?.MediaType == "application/json")
        {
            using var document = JsonDocument.Parse(text);
            json = document.RootElement.Clone();
        }

        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, text, json);
    }

    /// <summary>A successful Loki answer's <c>data</c>, after checking <c>status</c>.</summary>
    public static async Task<JsonElement> DataAsync(HttpClient http, string url)
    {
        var (status, media, text, json) = await GetAsync(http, url);
        Assert.True(status == HttpStatusCode.OK, $"{status}: {text}");
        Assert.Equal("application/json", media);
        Assert.Equal("success", json.GetProperty("status").GetString());
        return json.GetProperty("data");
    }
}
