using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using TestSupport;

namespace Collector.Tests.Api;

/// <summary>Times, durations, tailLines and cursors as Loki, Grafana and kubectl clients send them.</summary>
public sealed class LokiParameterTests(LokiParameterTests.StoredLogs stored) : IClassFixture<LokiParameterTests.StoredLogs>
{
    private static readonly long EpochSeconds = GeneratedLogs.Epoch.ToUnixTimeSeconds();

    [Fact]
    public async Task WholeNumbersOfTenDigitsOrFewerAreUnixSecondsAsLokiReadsThem()
    {
        using var api = new ApiClient(stored.Collector.Http);

        string start = (EpochSeconds - 3600).ToString(CultureInfo.InvariantCulture);
        string end = (EpochSeconds + 86400).ToString(CultureInfo.InvariantCulture);
        var seconds = await api.QueryRangeAsync(("query", "{}"), ("start", start), ("end", end), ("limit", "1000"));
        var nanoseconds = await api.QueryRangeAsync(("query", "{}"), ("start", start + "000000000"), ("end", end + "000000000"), ("limit", "1000"));

        Assert.Equal(100, seconds.Lines.Count());
        Assert.Equal(nanoseconds.Lines.Order(StringComparer.Ordinal), seconds.Lines.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("3000-01-01T00:00:00Z")]
    [InlineData("9999-12-31T23:59:59Z")]
    public async Task AnEndFarInTheFutureIsAsFarAsTheRangeGoes(string end)
    {
        using var api = new ApiClient(stored.Collector.Http);

        var page = await api.QueryRangeAsync(("query", "{}"), ("start", "2026-01-01T00:00:00Z"), ("end", end), ("limit", "1000"));

        Assert.Equal(100, page.Lines.Count());
    }

    [Theory]
    [InlineData("2d")]
    [InlineData("1w")]
    [InlineData("1d12h")]
    [InlineData("36h30m")]
    public async Task SinceTakesPrometheusDurations(string since)
    {
        using var api = new ApiClient(stored.Collector.Http);

        // The logs span the first 1,000 s after Epoch; the range ends a day later.
        string end = GeneratedLogs.Epoch.AddDays(1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var page = await api.QueryRangeAsync(("query", "{}"), ("end", end), ("since", since), ("limit", "1000"));

        Assert.Equal(100, page.Lines.Count());
    }

    [Fact]
    public async Task AVolumeStepOfADayIsOneBucket()
    {
        using var api = new ApiClient(stored.Collector.Http);

        string start = EpochSeconds.ToString(CultureInfo.InvariantCulture) + "000000000";
        string end = (EpochSeconds + 86400).ToString(CultureInfo.InvariantCulture) + "000000000";
        var (status, body, _) = await api.GetJsonAsync(
            ApiClient.Url("/api/v1/volume_range", ("query", "{}"), ("start", start), ("end", end), ("step", "1d")));

        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal(86400, body.GetProperty("data").GetProperty("step").GetDouble());
        var buckets = body.GetProperty("data").GetProperty("result").EnumerateArray()
            .SelectMany(s => s.GetProperty("values").EnumerateArray())
            .ToList();
        Assert.All(buckets, v => Assert.Equal(EpochSeconds, v[0].GetDouble()));
        Assert.Equal(
            GeneratedLogs.Create(100).Count(l => l.Time >= GeneratedLogs.Epoch),
            buckets.Sum(v => int.Parse(v[1].GetString()!, CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task TailLinesZeroFollowsWithoutHistoryAsKubectlTailZeroDoes()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);
        var logs = GeneratedLogs.Create(60);
        await SendAsync(collector, logs.Take(50));
        using var api = new ApiClient(collector.Http);

        using var response = await api.Http.GetAsync(
            ApiClient.Url("/api/v1/tail", ("query", "{}"), ("follow", "true"), ("tailLines", "0")), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(), Encoding.UTF8);
        await SendAsync(collector, logs.Skip(50), total: 60);

        var received = new List<int>();
        while (received.Count < 10)
        {
            string line = await Wait.ForAsync(reader.ReadLineAsync(), $"line {received.Count + 1} of 10")
                ?? throw new InvalidOperationException("stream ended");
            using var json = JsonDocument.Parse(line);
            received.Add(GeneratedLogs.SeqOf(json.RootElement.GetProperty("line").GetString()!));
        }

        Assert.Equal(Enumerable.Range(50, 10), received);
    }

    [Fact]
    public async Task ACursorThatDoesNotPointAtALineOfItsFileGets400()
    {
        using var api = new ApiClient(stored.Collector.Http);
        (string, string?)[] range = [("query", "{}"), ("start", "0"), ("limit", "10")];
        var first = await api.QueryRangeAsync(range);
        string cursor = first.Cursor!;
        string prefix = cursor[..cursor.LastIndexOf('.')];
        long offset = long.Parse(cursor[(cursor.LastIndexOf('.') + 1)..], CultureInfo.InvariantCulture);

        // The real cursor works; the same one moved into the middle of a line, or past the end of the file, does not.
        Assert.Equal(10, (await api.QueryRangeAsync([.. range, ("cursor", cursor)])).Lines.Count());
        foreach (long tampered in new[] { offset - 7, offset + 7, new FileInfo(stored.Collector.FilePath).Length + 100 })
        {
            string url = ApiClient.Url("/api/v1/query_range", [.. range, ("cursor", $"{prefix}.{tampered.ToString(CultureInfo.InvariantCulture)}")]);
            var problem = await api.ProblemAsync(url, HttpStatusCode.BadRequest);
            Assert.StartsWith("cursor must be", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    /// <summary>One Collector holding the same 100 generated logs for the tests that only read.</summary>
    public sealed class StoredLogs : IAsyncLifetime
    {
        private readonly TempDirectory _dir = TempDirectory.Create(nameof(LokiParameterTests));

        public RunningCollector Collector { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Collector = await RunningCollector.StartAsync(_dir);
            await SendAsync(Collector, GeneratedLogs.Create(100));
        }

        public async Task DisposeAsync()
        {
            await Collector.DisposeAsync();
            _dir.Dispose();
        }
    }

    private static async Task SendAsync(RunningCollector collector, IEnumerable<GeneratedLog> logs, int? total = null)
    {
        var list = logs.ToList();
        using (var client = await collector.ConnectAsync())
        {
            await GeneratedLogs.SendAsync(client.GetStream(), list);
        }

        await collector.WaitForLinesAsync(total ?? list.Count);
    }
}
