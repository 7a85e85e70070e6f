using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using TestSupport;

namespace Collector.Tests.Api;

/// <summary>
/// Gravity's wstail API: /v1/log (shape, syntax, default limit) and /v1/download (the files, byte for byte).
/// </summary>
public sealed class GravityApiTests
{
    [Fact]
    public async Task V1LogAnswersWstailsShapeWithTheNewestMatchesOldestFirst()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);
        var logs = GeneratedLogs.Create(1500);
        using (var client = await collector.ConnectAsync())
        {
            await GeneratedLogs.SendAsync(client.GetStream(), logs);
        }

        await collector.WaitForLinesAsync(1500);
        using var api = new ApiClient(collector.Http);

        // No limit: Gravity's default of 100, the newest ones.
        var (status, body, _) = await api.GetJsonAsync("/v1/log");
        Assert.Equal(HttpStatusCode.OK, status);
        var items = body.EnumerateArray().ToList();
        Assert.Equal(100, items.Count);
        Assert.All(items, i => Assert.Equal(["type", "payload"], i.EnumerateObject().Select(p => p.Name)));
        Assert.All(items, i => Assert.Equal("data", i.GetProperty("type").GetString()));
        Assert.Equal(Enumerable.Range(1400, 100), items.Select(i => GeneratedLogs.SeqOf(i.GetProperty("payload").GetString()!)));

        async Task<List<int>> Seqs(string query, int limit = 5000)
        {
            string limitText = limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var (s, b, _) = await api.GetJsonAsync(ApiClient.Url("/v1/log", ("query", query), ("limit", limitText)));
            Assert.Equal(HttpStatusCode.OK, s);
            return b.EnumerateArray().Select(i => GeneratedLogs.SeqOf(i.GetProperty("payload").GetString()!)).ToList();
        }

        List<int> Expect(Func<GeneratedLog, bool> match) => logs.Where(match).Select(l => l.Seq).ToList();

        Assert.Equal(Expect(l => l.Pod == "web-1" && l.Container == "main"), await Seqs("pod:web-1 and container:main"));
        Assert.Equal(Expect(l => l.Pod == "web-1" && l.Container == "main"), await Seqs("pod:web-1 container:\"main\""));
        Assert.Equal(Expect(l => l.Pod == "db-2" || l.Namespace == "kube-system"), await Seqs("pod:db-2 or namespace:kube-system"));
        Assert.Equal(Expect(l => l.Body.Contains("timeout retry", StringComparison.Ordinal)), await Seqs("\"timeout retry\""));
        Assert.Equal(Expect(l => l.Body.Contains("timeout", StringComparison.Ordinal) && l.Pod == "db-0"), await Seqs("timeout and pod:db-0"));
        Assert.Equal(Expect(l => l.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture) == "1234"), await Seqs("file:seq=1234"));
        Assert.Equal(Expect(l => l.Namespace == "db").TakeLast(7), await Seqs("{namespace=\"db\"}", 7));
    }

    [Fact]
    public async Task V1DownloadIsATarGzThatUnpacksToTheSameBytesAsTheFiles()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir, "--max-file-size", "64KiB", "--max-files", "20");
        using (var client = await collector.ConnectAsync())
        {
            await GeneratedLogs.SendAsync(client.GetStream(), GeneratedLogs.Create(1500));
        }

        await Wait.UntilAsync(
            () => GeneratedLogs.CompressionSettled(collector.FilePath) && GeneratedLogs.ReadStoredLines(collector.FilePath).Count == 1500,
            "1500 lines stored, rotated files compressed");
        using var api = new ApiClient(collector.Http);
        using var response = await api.Http.GetAsync("/v1/download", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/gzip", response.Content.Headers.ContentType?.MediaType);

        var unpacked = new Dictionary<string, byte[]>();
        await using (var gzip = new GZipStream(await response.Content.ReadAsStreamAsync(), CompressionMode.Decompress))
        await using (var tar = new TarReader(gzip))
        {
            while (await tar.GetNextEntryAsync() is { } entry)
            {
                using var data = new MemoryStream();
                if (entry.DataStream is not null)
                {
                    await entry.DataStream.CopyToAsync(data);
                }

                unpacked.Add(entry.Name, data.ToArray());
            }
        }

        var onDisk = Directory.GetFiles(dir.Path, "messages*").ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);
        Assert.True(onDisk.Count >= 4, $"current, .1 and gzip'd files, have {string.Join(", ", onDisk.Keys)}");
        Assert.Equal(onDisk.Keys.Order(StringComparer.Ordinal), unpacked.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, bytes) in onDisk)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(unpacked[name]), $"{name} differs");
        }
    }
}
