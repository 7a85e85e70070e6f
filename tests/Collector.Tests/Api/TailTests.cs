using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using TestSupport;

namespace Collector.Tests.Api;

/// <summary>
/// Live tails over streaming HTTP (NDJSON) and WebSocket: complete and in order, and isolated when slow.
/// </summary>
public sealed class TailTests
{
    [Fact]
    public async Task AStreamingHttpClientGetsTheRecentLinesThenEveryMatchingLineWrittenAfterItConnectedInOrder()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);
        var logs = GeneratedLogs.Create(3000);
        await SendAndStoreAsync(collector, logs.Take(1000), 1000);

        using var api = new ApiClient(collector.Http);
        string query = "{namespace=\"web\"} |= \"error\"";
        using var response = await api.Http.GetAsync(
            ApiClient.Url("/api/v1/tail", ("query", query), ("follow", "true"), ("tailLines", "3")),
            HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(), Encoding.UTF8);

        var history = logs.Take(1000)
            .Where(l => l.Namespace == "web" && l.Body.Contains("error", StringComparison.Ordinal))
            .TakeLast(3)
            .Select(l => l.Seq);
        var live = logs.Skip(1000).Where(l => l.Namespace == "web" && l.Body.Contains("error", StringComparison.Ordinal)).Select(l => l.Seq);
        var expected = history.Concat(live).ToList();

        var sending = SendInBatchesAsync(collector, logs.Skip(1000).ToList(), 1000);
        var received = new List<int>();
        while (received.Count < expected.Count)
        {
            string line = await Wait.ForAsync(reader.ReadLineAsync(), $"line {received.Count + 1} of {expected.Count}")
                ?? throw new InvalidOperationException("stream ended");
            using var json = JsonDocument.Parse(line);
            Assert.False(json.RootElement.TryGetProperty("dropped_entries", out _), "nothing dropped");
            Assert.Equal("web", json.RootElement.GetProperty("labels").GetProperty("namespace").GetString());
            received.Add(GeneratedLogs.SeqOf(json.RootElement.GetProperty("line").GetString()!));
        }

        await sending;
        Assert.Equal(expected, received);
    }

    [Fact]
    public async Task AWebSocketClientGetsEveryMatchingLineWrittenAfterItConnectedInOrder()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);
        var logs = GeneratedLogs.Create(3000);
        await SendAndStoreAsync(collector, logs.Take(500), 500);

        using var socket = new ClientWebSocket();
        string query = Uri.EscapeDataString("{pod=~\"db-.*\", severity<=\"notice\"}");

        // start=now: the history (2026-11-20) is older, so only live lines come.
        await socket.ConnectAsync(new Uri($"ws://{collector.Http}/api/v1/tail?query={query}&sinceSeconds=1"), CancellationToken.None);
        var expected = logs.Skip(500).Where(l => l.Pod.StartsWith("db-", StringComparison.Ordinal) && l.Severity <= 5).Select(l => l.Seq).ToList();
        var sending = SendInBatchesAsync(collector, logs.Skip(500).ToList(), 500);

        var received = new List<int>();
        var buffer = new byte[1 << 20];
        while (received.Count < expected.Count)
        {
            using var frame = await ReceiveFrameAsync(socket, buffer);
            Assert.False(frame.RootElement.TryGetProperty("dropped_count", out _), "nothing dropped");
            foreach (var stream in frame.RootElement.GetProperty("streams").EnumerateArray())
            {
                Assert.StartsWith("db-", stream.GetProperty("stream").GetProperty("pod").GetString(), StringComparison.Ordinal);
                received.AddRange(stream.GetProperty("values").EnumerateArray().Select(v => GeneratedLogs.SeqOf(v[1].GetString()!)));
            }

            // Frames group by stream; across streams order by sequence within each frame to compare with
            // the file order.
            received.Sort();
        }

        await sending;
        Assert.Equal(expected, received);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }

    [Fact]
    public async Task ASlowWebSocketClientIsToldWhatItMissedWhileIngestAndAFastClientGoOn()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);
        using var slow = new ClientWebSocket();
        slow.Options.SetBuffer(4096, 4096);
        await slow.ConnectAsync(
            new Uri($"ws://{collector.Http}/api/v1/tail?query={Uri.EscapeDataString("{}")}&sinceSeconds=1"),
            CancellationToken.None);

        // 30,000 lines of about 1 KiB: far more than the slow client's socket buffers and queue (1000 entries) hold.
        const int Count = 30_000;
        var body = new string('z', 1000);
        using (var client = await collector.ConnectAsync())
        {
            var batch = new MemoryStream();
            for (int i = 0; i < Count; i++)
            {
                var message = Encoding.UTF8.GetBytes($"<134>1 2026-11-22T10:00:00Z node-1 app - - - seq={i} {body}");
                batch.Write(Encoding.ASCII.GetBytes($"{message.Length} "));
                batch.Write(message);
            }

            await client.GetStream().WriteAsync(batch.ToArray());
        }

        // Ingest finished while the slow client read nothing.
        await collector.WaitForLinesAsync(Count);

        // Then it reads: what it got plus what it was told it missed is everything, and the order is kept.
        long dropped = 0;
        var received = new List<int>();
        var buffer = new byte[8 << 20];
        while (received.Count + dropped < Count)
        {
            using var frame = await ReceiveFrameAsync(slow, buffer);
            if (frame.RootElement.TryGetProperty("dropped_count", out var count))
            {
                dropped += count.GetInt64();

                // Entries are named for lines this client's queue dropped; lines the tail hub itself had to drop
                // (its writer feed overflowed on a loaded machine) are only counted.
                Assert.InRange(frame.RootElement.GetProperty("dropped_entries").GetArrayLength(), 0, count.GetInt64());
            }

            foreach (var stream in frame.RootElement.GetProperty("streams").EnumerateArray())
            {
                received.AddRange(stream.GetProperty("values").EnumerateArray().Select(v => GeneratedLogs.SeqOf(v[1].GetString()!)));
            }
        }

        Assert.True(dropped > 0, "the slow client missed lines and was told");
        Assert.Equal(Count, received.Count + dropped);
        Assert.Equal(received.Order(), received);
        Assert.Equal(Count - 1, received[^1]);
    }

    [Fact]
    public async Task MoreTailsThanTheLimitAreRefusedWith429AndTheOthersKeepWorking()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir, "--max-tails", "2");
        using var api = new ApiClient(collector.Http);
        string url = ApiClient.Url("/api/v1/tail", ("query", "{}"), ("follow", "true"));
        using var first = await api.Http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        using var second = await api.Http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        await api.ProblemAsync(url, System.Net.HttpStatusCode.TooManyRequests);

        // A tail without follow is a plain read and is not counted.
        using var once = await api.Http.GetAsync(ApiClient.Url("/api/v1/tail", ("query", "{}")));
        Assert.Equal(System.Net.HttpStatusCode.OK, once.StatusCode);
        first.Dispose();
        long deadline = Environment.TickCount64 + 15_000;
        while (true)
        {
            using var third = await api.Http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
            if (third.StatusCode == System.Net.HttpStatusCode.OK)
            {
                break;
            }

            Assert.True(Environment.TickCount64 < deadline, "a slot after one tail left");
            await Task.Delay(20);
        }
    }

    private static async Task SendAndStoreAsync(RunningCollector collector, IEnumerable<GeneratedLog> logs, int total)
    {
        using (var client = await collector.ConnectAsync())
        {
            await GeneratedLogs.SendAsync(client.GetStream(), logs);
        }

        await collector.WaitForLinesAsync(total);
    }

    /// <summary>Sends in batches of 100, each stored before the next goes: a steady stream, not one burst.</summary>
    private static async Task SendInBatchesAsync(RunningCollector collector, List<GeneratedLog> logs, int alreadyStored)
    {
        using var client = await collector.ConnectAsync();
        for (int i = 0; i < logs.Count; i += 100)
        {
            var batch = logs.Skip(i).Take(100).ToList();
            await GeneratedLogs.SendAsync(client.GetStream(), batch);
            await collector.WaitForLinesAsync(alreadyStored + i + batch.Count);
        }
    }

    private static async Task<JsonDocument> ReceiveFrameAsync(ClientWebSocket socket, byte[] buffer)
    {
        int filled = 0;
        while (true)
        {
            var result = await Wait.ForAsync(
                socket.ReceiveAsync(buffer.AsMemory(filled), CancellationToken.None).AsTask(),
                "a tail frame",
                TimeSpan.FromSeconds(30));
            Assert.NotEqual(WebSocketMessageType.Close, result.MessageType);
            filled += result.Count;
            if (result.EndOfMessage)
            {
                return JsonDocument.Parse(buffer.AsMemory(0, filled));
            }
        }
    }
}
