using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Collector.Tests.Api;

/// <summary>HTTP calls to a running Collector's API, answers parsed with JsonDocument.</summary>
public sealed class ApiClient : IDisposable
{
    private readonly HttpClient _http;

    public ApiClient(IPEndPoint endpoint, string? token = null)
    {
        _http = new HttpClient { BaseAddress = new Uri($"http://{endpoint}"), Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public HttpClient Http => _http;

    public static string Url(string path, params (string Name, string? Value)[] parameters) =>
        path + "?" + string.Join('&', parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}"));

    public async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> GetJsonAsync(string url)
    {
        var response = await _http.GetAsync(url);
        string text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text.Length == 0 ? "null" : text);
        return (response.StatusCode, document.RootElement.Clone(), response);
    }

    /// <summary>
    /// A successful query_range page: its lines (in result order, streams flattened), their labels, and the cursor.
    /// </summary>
    public async Task<QueryPage> QueryRangeAsync(params (string Name, string? Value)[] parameters)
    {
        var (status, body, _) = await GetJsonAsync(Url("/api/v1/query_range", parameters));
        Assert.True(status == HttpStatusCode.OK, $"{status}: {body}");
        var data = body.GetProperty("data");
        var streams = new List<(Dictionary<string, string> Labels, List<(long Ns, string Line)> Values)>();
        foreach (var stream in data.GetProperty("result").EnumerateArray())
        {
            var labels = stream.GetProperty("stream").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
            var values = stream.GetProperty("values").EnumerateArray()
                .Select(v => (
                    long.Parse(v[0].GetString()!, System.Globalization.CultureInfo.InvariantCulture),
                    v[1].GetString()!))
                .ToList();
            streams.Add((labels, values));
        }

        var cursor = data.GetProperty("cursor");
        return new QueryPage(streams, cursor.ValueKind == JsonValueKind.Null ? null : cursor.GetString(), data.GetProperty("stats"));
    }

    /// <summary>Asserts a problem+json answer with this status; returns its body.</summary>
    public async Task<JsonElement> ProblemAsync(string url, HttpStatusCode expected)
    {
        var (status, body, response) = await GetJsonAsync(url);
        Assert.Equal(expected, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)expected, body.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("detail").GetString()));
        return body;
    }

    public void Dispose() => _http.Dispose();
}

public sealed record QueryPage(
    List<(Dictionary<string, string> Labels, List<(long Ns, string Line)> Values)> Streams,
    string? Cursor,
    JsonElement Stats)
{
    public IEnumerable<string> Lines => Streams.SelectMany(s => s.Values.Select(v => v.Line));
}
