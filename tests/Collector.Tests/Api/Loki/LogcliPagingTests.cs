using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using TestSupport;

namespace Collector.Tests.Api.Loki;

/// <summary>
/// logcli's batching (pkg/logcli/query/query.go): each batch moves end to the last timestamp it got + 1 ns (backward)
/// or start to it (forward) and drops the lines of that timestamp it printed already; and its live tail.
/// </summary>
public sealed class LogcliPagingTests
{
    [Theory]
    [InlineData("BACKWARD", 7)]
    [InlineData("FORWARD", 7)]
    [InlineData("BACKWARD", 5)]
    public async Task PagingByTimestampLosesAndRepeatsNoLineWhenManyLinesShareATimestamp(string direction, int batch)
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);
        var sent = SharedTimestamps(60, perTimestamp: 4);
        using (var client = await collector.ConnectAsync())
        {
            await GeneratedLogs.SendAsync(client.GetStream(), sent);
        }

        await collector.WaitForLinesAsync(sent.Count);
        using var http = new HttpClient { BaseAddress = new Uri(collector.BaseUrl) };
        bool forward = direction == "FORWARD";
        long start = LokiLogs.EpochNs - 1_000_000_000, end = LokiLogs.EpochNs + 1_000_000_000_000;

        var printed = new List<(long Ns, int Seq)>();
        var lastEntries = new List<(long Ns, string Line)>();
        for (int round = 0; round < 100; round++)
        {
            string url = "/loki/api/v1/query_range?" + string.Join('&', new[]
            {
                ("query", "{app=~\".+\"}"), ("limit", batch.ToString(CultureInfo.InvariantCulture)),
                ("start", LokiLogs.Ns(start)), ("end", LokiLogs.Ns(end)), ("direction", direction),
            }.Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2)}"));
            var data = await LokiLogs.DataAsync(http, url);

            // printResult: all streams' entries sorted by time, those printed in the previous batch dropped.
            var entries = data.GetProperty("result").EnumerateArray()
                .SelectMany(s => s.GetProperty("values").EnumerateArray())
                .Select(v => (Ns: long.Parse(v[0].GetString()!, CultureInfo.InvariantCulture), Line: v[1].GetString()!))
                .ToList();
            entries = forward ? [.. entries.OrderBy(e => e.Ns)] : [.. entries.OrderByDescending(e => e.Ns)];
            var fresh = entries.Where(e => !lastEntries.Contains(e)).ToList();
            if (fresh.Count == 0)
            {
                break;
            }

            printed.AddRange(fresh.Select(e => (e.Ns, GeneratedLogs.SeqOf(e.Line))));
            long last = entries[^1].Ns;
            lastEntries = entries.Where(e => e.Ns == last).ToList();
            (start, end) = forward ? (last, end) : (start, last + 1);
        }

        var expected = (forward ? sent.OrderBy(l => l.TimeNs) : sent.OrderByDescending(l => l.TimeNs)).Select(l => (l.TimeNs, l.Seq));
        Assert.Equal(Normalized(expected), Normalized(printed));
        Assert.Equal(sent.Count, printed.Select(p => p.Seq).Distinct().Count());
    }

    [Fact]
    public async Task TheLokiTailWebSocketSendsHistoryThenNewLinesInLokisFrames()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir.Combine("messages"), LokiLogs.Token);
        var history = SharedTimestamps(6, perTimestamp: 1);
        using (var client = await collector.ConnectAsync())
        {
            await GeneratedLogs.SendAsync(client.GetStream(), history);
        }

        await collector.WaitForLinesAsync(history.Count);
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + LokiLogs.Token);
        string query = Uri.EscapeDataString("{app=~\".+\"}");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await socket.ConnectAsync(
            new Uri($"ws://{collector.Http}/loki/api/v1/tail?query={query}&limit=100&start={LokiLogs.Ns(LokiLogs.EpochNs - 1_000_000_000)}"),
                deadline.Token);

        var live = SharedTimestamps(4, perTimestamp: 1).Select(l => l with { Seq = l.Seq + 100, Body = $"seq={l.Seq + 100} live" }).ToList();
        var received = new List<int>();
        var buffer = new byte[1 << 16];
        bool sentLive = false;
        while (received.Count < history.Count + live.Count)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, deadline.Token);
                message.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);

            using var frame = JsonDocument.Parse(message.ToArray());
            foreach (var stream in frame.RootElement.GetProperty("streams").EnumerateArray())
            {
                Assert.Equal(JsonValueKind.Object, stream.GetProperty("stream").ValueKind);
                received.AddRange(stream.GetProperty("values").EnumerateArray().Select(v => GeneratedLogs.SeqOf(v[1].GetString()!)));
            }

            if (!sentLive && received.Count >= history.Count)
            {
                sentLive = true;
                using var client = await collector.ConnectAsync();
                await GeneratedLogs.SendAsync(client.GetStream(), live);
            }
        }

        // A frame groups its lines by stream, as Loki's do: the exact lines, each once, history before live ones.
        Assert.Equal(history.Select(l => l.Seq).Concat(live.Select(l => l.Seq)), received.Order());
        Assert.Equal(history.Select(l => l.Seq), received.Take(history.Count).Order());
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", deadline.Token);
    }

    /// <summary>Lines in groups of <paramref name="perTimestamp"/> that share one timestamp, a second apart.</summary>
    private static List<GeneratedLog> SharedTimestamps(int count, int perTimestamp) =>
        Enumerable.Range(0, count)
            .Select(i => new GeneratedLog(
                i, GeneratedLogs.Epoch.AddSeconds(i / perTimestamp), "web", $"web-{i % 3}", "main", "node-1", "nginx", 6, $"seq={i} same time"))
            .ToList();

    /// <summary>Time order must hold; lines of one timestamp (a run of them) may come in any order.</summary>
    private static List<string> Normalized(IEnumerable<(long Ns, int Seq)> lines)
    {
        var runs = new List<(long Ns, List<int> Seqs)>();
        foreach (var (ns, seq) in lines)
        {
            if (runs.Count == 0 || runs[^1].Ns != ns)
            {
                runs.Add((ns, []));
            }

            runs[^1].Seqs.Add(seq);
        }

        return runs.Select(r => $"{r.Ns}:{string.Join(',', r.Seqs.Order())}").ToList();
    }
}
