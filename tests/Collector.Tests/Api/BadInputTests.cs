using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Configuration;
using TestSupport;

namespace Collector.Tests.Api;

/// <summary>
/// Malformed queries, hostile regexes, huge limits, bad times, missing or wrong tokens: clear 4xx, service fine.
/// </summary>
public sealed class BadInputTests
{
    [Theory]
    [InlineData("{namespace=\"web\"", 16)]
    [InlineData("{namespace=web}", 11)]
    [InlineData("{9namespace=\"web\"}", 1)]
    [InlineData("{k8s_app<\"x\"}", 8)]
    [InlineData("{pod=~\"web-(\"}", 12)]
    [InlineData("{namespace=\"web\"} | json |", 26)]
    [InlineData("{namespace=\"web\"} |= \"unterminated", 21)]
    [InlineData("{pod<\"x\"}", 4)]
    [InlineData("namespace=\"web\"", 0)]
    [InlineData("{} |~ \"(a)\\\\1\"", 6)]
    [InlineData("{} |~ \"(?<=x)y\"", 6)]
    public async Task AMalformedQueryGets400WithThePositionOfTheProblem(string query, int position)
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);
        using var api = new ApiClient(collector.Http);
        var problem = await api.ProblemAsync(ApiClient.Url("/api/v1/query_range", ("query", query)), HttpStatusCode.BadRequest);
        Assert.Equal(position, problem.GetProperty("position").GetInt32());
        Assert.Contains($"at position {position}", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("ok\n", await collector.GetAsync("/healthz"));
    }

    [Theory]
    [InlineData("/api/v1/query_range?limit=100000", "limit must be a whole number from 1 to 5000, was '100000'")]
    [InlineData("/api/v1/query_range?limit=-1", "limit must be")]
    [InlineData("/api/v1/query_range?start=yesterday", "start must be RFC 3339")]
    [InlineData("/api/v1/query_range?start=2026-11-22T10:00:00Z&end=2026-11-22T09:00:00Z", "start must be before end")]
    [InlineData("/api/v1/query_range?end=2026-13-01T00:00:00Z", "end must be RFC 3339")]
    [InlineData("/api/v1/query_range?direction=sideways", "direction must be backward or forward")]
    [InlineData("/api/v1/query_range?cursor=garbage", "cursor must be")]
    [InlineData("/api/v1/query_range?since=forever", "since must be a duration")]
    [InlineData("/api/v1/tail?tailLines=999999", "tailLines must be")]
    [InlineData("/api/v1/tail?sinceSeconds=-5", "sinceSeconds must be")]
    [InlineData("/api/v1/tail?follow=maybe", "follow must be true or false")]
    [InlineData("/v1/log?limit=0", "limit must be")]
    public async Task ABadParameterGets400NamingItAndItsValue(string url, string detail)
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);
        using var api = new ApiClient(collector.Http);
        var problem = await api.ProblemAsync(url, HttpStatusCode.BadRequest);
        Assert.StartsWith(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACatastrophicRegexRunsInLinearTimeOnLongLines()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);
        using (var client = await collector.ConnectAsync())
        {
            // Lines of 30,000 'a's ending in '!': (a+)+$ and (a|aa)*b are exponential for a backtracking engine.
            var lines = Enumerable.Range(0, 20).Select(i => System.Text.Encoding.ASCII.GetBytes(
                $"<134>1 2026-11-22T10:00:00Z h app - - - {new string('a', 30_000)}!"));
            var frames = lines.SelectMany(m => System.Text.Encoding.ASCII.GetBytes($"{m.Length} ").Concat(m)).ToArray();
            await client.GetStream().WriteAsync(frames);
        }

        await collector.WaitForLinesAsync(20);
        using var api = new ApiClient(collector.Http);
        var watch = Stopwatch.StartNew();
        foreach (string regex in new[] { "(a+)+$", "(a|aa)*b", "(.*a){20}x" })
        {
            var page = await api.QueryRangeAsync(("query", $"{{}} |~ {RandomQuery.Quote(regex)}"), ("start", "0"));
            Assert.Empty(page.Lines);
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task WithATokenTheApiNeedsItAndHealthAndMetricsStayOpen()
    {
        using var dir = TempDirectory.Create();
        string tokenFile = dir.Combine("token");
        await File.WriteAllTextAsync(tokenFile, "s3cret-token\n");
        await using var collector = await RunningCollector.StartAsync(dir, "--api-token-file", tokenFile);

        using var anonymous = new ApiClient(collector.Http);
        using var wrong = new ApiClient(collector.Http, "wrong");
        using var right = new ApiClient(collector.Http, "s3cret-token");
        string[] urls =
        [
            "/api/v1/query_range", "/api/v1/labels", "/api/v1/label/pod/values",
            "/api/v1/tail", "/v1/log", "/v1/download",
        ];
        foreach (string url in urls)
        {
            await anonymous.ProblemAsync(url, HttpStatusCode.Unauthorized);
            await wrong.ProblemAsync(url, HttpStatusCode.Unauthorized);
            using var ok = await right.Http.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var challenged = await anonymous.Http.GetAsync("/api/v1/labels");
        Assert.Equal("Bearer", challenged.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("ok\n", await collector.GetAsync("/healthz"));
        Assert.Equal("ready\n", await collector.GetAsync("/readyz"));
        Assert.Contains("written_lines_total", await collector.GetAsync("/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheTokenCanComeFromTheEnvironmentButNotFromBothPlaces()
    {
        using var dir = TempDirectory.Create();
        string tokenFile = dir.Combine("token");
        await File.WriteAllTextAsync(tokenFile, "from-file");
        var settings = new Dictionary<string, string?> { ["Collector:ApiToken"] = "from-env" };
        var app = CollectorApp.Build(["--api-token-file", tokenFile], out var errors, b => b.Configuration.AddInMemoryCollection(settings));
        Assert.Null(app);
        Assert.Contains(errors, e => e.StartsWith("Collector:ApiToken and Collector:ApiTokenFile are both set", StringComparison.Ordinal));

        Assert.Null(CollectorApp.Build(["--api-token-file", dir.Combine("missing")], out errors));
        Assert.StartsWith("Collector:ApiTokenFile must be a readable file", Assert.Single(errors), StringComparison.Ordinal);
    }
}
