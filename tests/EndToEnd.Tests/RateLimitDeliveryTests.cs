using System.Text;
using System.Text.Json;
using TestSupport;

namespace EndToEnd.Tests;

/// <summary>
/// A rate-limited pod end to end (docs/forwarder.md, "Rate limits"): real Forwarder and Collector processes, real
/// files. What the limit skipped when its file was deleted unread arrives as one marker message in the lines' place,
/// with the exact count, and the Collector records no gap: the marker's origin covers the skipped bytes.
/// </summary>
public sealed class RateLimitDeliveryTests
{
    [Fact]
    public async Task LinesSkippedByTheRateLimitArriveAsOneMarkerAndLeaveNoGap()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("jobs", "worker-0", "main", RuntimeFormat.Cri);
        log.AppendMany(Enumerable.Range(0, 200).Select(n => SequencedWriter.Text(0, n)));
        await using var collector = await CollectorProcess.StartAsync(dir.Combine("messages"));
        await using var forwarder = await ForwarderProcess.StartAsync(
            tree.ContainersGlob,
            [$"relp://{collector.Relp}"],
            dir.Combine("state"),
            "--rate-limit-pod", "20/s", "--multiline", "off", "--rotate-wait", "200ms");
        await Wait.UntilAsync(() => collector.ReadLines().Length >= 20, "the first second's lines stored", TimeSpan.FromSeconds(60));

        // Rotated and deleted while most of it is unread; the new file's lines come after the marker.
        long[] ends = LineEnds(log.RealPath);
        File.Delete(log.RotateLikeKubelet("20261206-160000"));
        log.AppendMany(Enumerable.Range(200, 30).Select(n => SequencedWriter.Text(0, n)));
        await Wait.UntilAsync(
            () => collector.ReadLines().Any(l => StoredMessage.Of(l) == SequencedWriter.Text(0, 229)),
            "the new file's last line",
            TimeSpan.FromSeconds(60));
        await Wait.UntilQuietAsync(
            () => collector.ReadLines().Length,
            TimeSpan.FromSeconds(1),
            "the messages file",
            TimeSpan.FromSeconds(30),
            TimeSpan.FromMilliseconds(100));

        var messages = collector.ReadLines().Select(StoredMessage.Of).ToList();
        int read = messages.FindIndex(m => m.Contains("skipped by rate limit", StringComparison.Ordinal));
        Assert.InRange(read, 20, 199);
        string[] expected =
        [
            .. Enumerable.Range(0, read).Select(n => SequencedWriter.Text(0, n)),
            $"{200 - read} lines of pod jobs/worker-0 skipped by rate limit (container main, {ends[199] - ends[read - 1]} bytes: "
                + "the file was deleted before they were read)",
            .. Enumerable.Range(200, 30).Select(n => SequencedWriter.Text(0, n)),
        ];
        Assert.Equal(expected, messages);

        var sources = await SourcesAsync(collector);
        Assert.Equal(2, sources.Count);
        Assert.All(sources, s => Assert.Equal(0, s.GetProperty("gaps").GetProperty("count").GetInt64()));
    }

    private static long[] LineEnds(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return [.. Enumerable.Range(0, bytes.Length).Where(i => bytes[i] == '\n').Select(i => (long)i + 1)];
    }

    private static async Task<List<JsonElement>> SourcesAsync(CollectorProcess collector)
    {
        List<JsonElement> sources = [];
        await Wait.UntilAsync(
            () =>
            {
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
                string text = Encoding.UTF8.GetString(http.GetByteArrayAsync(new Uri(collector.Http, "/api/v1/sources")).GetAwaiter().GetResult());
                using var json = JsonDocument.Parse(text);
                sources = [.. json.RootElement.GetProperty("data").GetProperty("sources").EnumerateArray().Select(s => s.Clone())];
                return sources.Count == 2;
            },
            "both files' sources",
            TimeSpan.FromSeconds(30));
        return sources;
    }
}
