using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using TestSupport;

namespace Collector.Tests.Api.Loki;

/// <summary>
/// <c>/loki/api/v1/tail</c> as Grafana's live view and <c>logcli query --tail</c> open it, over a real WebSocket: the
/// exact entries of every frame (history, then lines written after the client connected, ending on a sentinel), each
/// under the label set Loki's tailer gives it (stream labels, level, and the labels the pipeline extracted), and the
/// end of a follow that makes both clients reconnect.
/// </summary>
public sealed class LokiTailTests
{
    private const string Token = "loki-tail-token";

    /// <summary>
    /// Grafana's live view (public/app/plugins/datasource/loki/datasource.ts createLiveTarget): only <c>query</c>,
    /// through the data source proxy, which adds the configured Authorization header.
    /// </summary>
    [Fact]
    public async Task GrafanasLiveViewGetsEachLineUnderItsLabelsAfterThePipelineExtractedOnesIncluded()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir.Combine("messages"), Token);
        var at = Now().AddMinutes(-5);
        var history = new[]
        {
            Log(0, at, "web", 6, "{\"status\":200,\"method\":\"GET\",\"path\":\"/a\"}"),
            Log(1, at.AddSeconds(1), "web", 3, "{\"status\":503,\"method\":\"POST\",\"path\":\"/b\",\"level\":\"error\"}"),
        };
        var live = new[]
        {
            Log(2, at.AddSeconds(2), "web", 3, "{\"status\":500,\"method\":\"GET\",\"path\":\"/c\"}"),
            Log(3, at.AddSeconds(3), "web", 6, "{\"status\":201,\"method\":\"PUT\",\"path\":\"/d\"}"),
            Log(4, at.AddSeconds(4), "db", 3, "{\"status\":502,\"method\":\"GET\",\"path\":\"/e\"}"),
            Log(5, at.AddSeconds(5), "web", 4, "{\"status\":504,\"method\":\"GET\",\"path\":\"/f\"}"),
            Log(6, at.AddSeconds(6), "web", 3, "{\"status\":599,\"path\":\"/end\"}"),
        };
        await SendAsync(collector, history);
        // Stored before the tail opens, so they are its history, not lines that happen to arrive after it.
        await collector.WaitForLinesAsync(history.Length);

        using var socket = await ConnectAsync(collector, "/loki/api/v1/tail?" + Query(("query", "{namespace=\"web\"} | json | status >= 500")));
        var received = await ReceiveUntilAsync(
            socket, last: l => l.Contains("\"/end\"", StringComparison.Ordinal), afterFirstFrame: () => SendAsync(collector, live));

        await collector.WaitForLinesAsync(history.Length + live.Length);
        var stored = GeneratedLogs.ReadStoredLines(dir.Combine("messages"));
        Assert.Equal(
            [
                Expected(history[1], stored, ("level_extracted", "error"), ("method", "POST"), ("path", "/b"), ("status", "503")),
                Expected(live[0], stored, ("method", "GET"), ("path", "/c"), ("status", "500")),
                Expected(live[3], stored, ("method", "GET"), ("path", "/f"), ("status", "504")),
                Expected(live[4], stored, ("path", "/end"), ("status", "599")),
            ],
            received);
    }

    /// <summary>
    /// logcli's request (pkg/logcli/client/client.go LiveTailQueryConn): <c>query</c>, <c>delay_for</c> (when set),
    /// <c>limit</c> and <c>start</c> in ns, with its User-Agent and bearer token; the history is the <c>limit</c>
    /// newest lines since <c>start</c>, oldest first, and line_format's line replaces the stored one.
    /// </summary>
    [Fact]
    public async Task LogcliTailGetsTheNewestLimitLinesThenNewOnesFormattedUnderTheirLabels()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir.Combine("messages"), Token);
        var at = Now().AddMinutes(-10);
        var old = Log(0, at.AddMinutes(-20), "web", 6, "method=GET path=/too-old");
        var history = Enumerable.Range(1, 5).Select(i => Log(i, at.AddSeconds(i), "web", 6, $"method=GET path=/h{i}")).ToArray();
        var live = new[]
        {
            Log(6, at.AddSeconds(6), "web", 3, "method=POST path=/l6"),
            Log(7, at.AddSeconds(7), "db", 6, "method=GET path=/other-app"),
            Log(8, at.AddSeconds(8), "web", 6, "method=DELETE path=/end"),
        };
        live[1] = live[1] with { App = "postgres" };
        await SendAsync(collector, [old, .. history]);
        // Stored before the tail opens: written after it, they would be new lines, which start and limit do not cut.
        await collector.WaitForLinesAsync(1 + history.Length);

        string url = "/loki/api/v1/tail?" + Query(
            ("query", "{app=\"nginx\"} | logfmt | line_format \"{{.method}} {{.path}}\""),
            ("delay_for", "2"),
            ("limit", "3"),
            ("start", Ns(at.AddMinutes(-15))));
        using var socket = await ConnectAsync(collector, url);
        var received = await ReceiveUntilAsync(socket, last: l => l == "DELETE /end", afterFirstFrame: () => SendAsync(collector, live));

        Received Formatted(GeneratedLog log)
        {
            var labels = LokiLogs.LabelsOf(log);
            string method = log.Body.Split(' ')[0]["method=".Length..], path = log.Body.Split(' ')[1]["path=".Length..];
            labels["method"] = method;
            labels["path"] = path;
            return new Received(labels, log.TimeNs, $"{method} {path}");
        }

        Assert.Equal([.. history[2..].Select(Formatted), Formatted(live[0]), Formatted(live[2])], received);
    }

    /// <summary>
    /// At <c>--max-follow</c> a Loki tail is dropped without a close frame, which logcli --tail and Grafana's live view
    /// take for Loki's querier going away (1006) and reconnect from their last timestamp; /api/v1/tail closes normally.
    /// </summary>
    [Fact]
    public async Task AtMaxFollowTheLokiTailIsDroppedSoClientsReconnectFromTheirLastLine()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir.Combine("messages"), Token, "--max-follow", "2s");
        var at = Now().AddMinutes(-1);
        var lines = Enumerable.Range(0, 3).Select(i => Log(i, at.AddSeconds(i), "web", 6, $"seq={i} line")).ToArray();
        await SendAsync(collector, lines);
        await collector.WaitForLinesAsync(lines.Length);
        string url = "/loki/api/v1/tail?" + Query(("query", "{app=\"nginx\"}"), ("limit", "30"), ("start", Ns(at.AddMinutes(-1))));

        using var socket = await ConnectAsync(collector, url);
        var first = await ReceiveUntilAsync(socket, last: l => GeneratedLogs.SeqOf(l) == 2, afterFirstFrame: () => Task.CompletedTask);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var dropped = await Assert.ThrowsAsync<WebSocketException>(() => socket.ReceiveAsync(new byte[1024], deadline.Token));

        Assert.Equal(WebSocketError.ConnectionClosedPrematurely, dropped.WebSocketErrorCode);
        Assert.Equal([0, 1, 2], first.Select(r => GeneratedLogs.SeqOf(r.Line)));

        // logcli's reconnect: the same request with start at the last timestamp it printed.
        string again = "/loki/api/v1/tail?" + Query(
            ("query", "{app=\"nginx\"}"), ("limit", "30"), ("start", first[^1].Ns.ToString(CultureInfo.InvariantCulture)));
        using var second = await ConnectAsync(collector, again);
        var resumed = await ReceiveUntilAsync(second, last: l => GeneratedLogs.SeqOf(l) == 2, afterFirstFrame: () => Task.CompletedTask);
        Assert.Equal([2], resumed.Select(r => GeneratedLogs.SeqOf(r.Line)));

        using var plain = await ConnectAsync(collector, "/api/v1/tail?" + Query(("query", "{app=\"nginx\"}"), ("limit", "1")));
        await ReceiveUntilAsync(plain, last: l => GeneratedLogs.SeqOf(l) == 2, afterFirstFrame: () => Task.CompletedTask);
        var closed = await plain.ReceiveAsync(new byte[1024], deadline.Token);
        Assert.Equal(WebSocketMessageType.Close, closed.MessageType);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, closed.CloseStatus);
    }

    private static DateTimeOffset Now()
    {
        // Whole milliseconds: the stored timestamp has six fraction digits.
        var now = TimeProvider.System.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));
    }

    private static GeneratedLog Log(int seq, DateTimeOffset time, string ns, int severity, string body) =>
        new(seq, time, ns, $"{ns}-0", "main", "node-1", "nginx", severity, body);

    private static string Ns(DateTimeOffset time) => ((time.UtcTicks - DateTimeOffset.UnixEpoch.Ticks) * 100).ToString(CultureInfo.InvariantCulture);

    private static string Query(params (string Name, string Value)[] parameters) =>
        string.Join('&', parameters.Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value)}"));

    private static async Task SendAsync(RunningCollector collector, IEnumerable<GeneratedLog> logs)
    {
        using var client = await collector.ConnectAsync();
        await GeneratedLogs.SendAsync(client.GetStream(), logs);
    }

    private static async Task<ClientWebSocket> ConnectAsync(RunningCollector collector, string pathAndQuery)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + Token);
        socket.Options.SetRequestHeader("User-Agent", "loki-logcli/3.5.0");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await socket.ConnectAsync(new Uri($"ws://{collector.Http}{pathAndQuery}"), deadline.Token);
        return socket;
    }

    /// <summary>
    /// Every entry of every frame, in frame order, until the one <paramref name="last"/> recognises (the sentinel);
    /// each frame's shape checked as Loki's (<c>streams</c> of <c>stream</c> and <c>values</c>, a value
    /// <c>["ns","line",{…}]</c>).
    /// </summary>
    private static async Task<List<Received>> ReceiveUntilAsync(ClientWebSocket socket, Func<string, bool> last, Func<Task> afterFirstFrame)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var received = new List<Received>();
        var buffer = new byte[1 << 16];
        bool first = true;
        while (!received.Exists(r => last(r.Line)))
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, deadline.Token);
                message.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);

            Assert.Equal(WebSocketMessageType.Text, result.MessageType);
            using var frame = JsonDocument.Parse(message.ToArray());
            Assert.Equal(["streams"], frame.RootElement.EnumerateObject().Select(p => p.Name));
            foreach (var stream in frame.RootElement.GetProperty("streams").EnumerateArray())
            {
                Assert.Equal(["stream", "values"], stream.EnumerateObject().Select(p => p.Name));
                var labels = new SortedDictionary<string, string>(
                    stream.GetProperty("stream").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!), StringComparer.Ordinal);
                foreach (var value in stream.GetProperty("values").EnumerateArray())
                {
                    Assert.Equal(3, value.GetArrayLength());
                    Assert.Equal(JsonValueKind.Object, value[2].ValueKind);
                    received.Add(new Received(labels, long.Parse(value[0].GetString()!, CultureInfo.InvariantCulture), value[1].GetString()!));
                }
            }

            if (first)
            {
                first = false;
                await afterFirstFrame();
            }
        }

        return received;
    }

    /// <summary>
    /// What a Loki tail must send for a generated line: its labels with the extracted ones, its time and stored line.
    /// </summary>
    private static Received Expected(GeneratedLog log, List<string> stored, params (string Name, string Value)[] extracted)
    {
        var labels = LokiLogs.LabelsOf(log);
        foreach (var (name, value) in extracted)
        {
            labels[name] = value;
        }

        return new Received(labels, log.TimeNs, Assert.Single(stored, s => s.Contains(log.Body, StringComparison.Ordinal)));
    }

    private sealed record Received(SortedDictionary<string, string> Labels, long Ns, string Line)
    {
        public bool Equals(Received? other) =>
            other is not null && Ns == other.Ns && Line == other.Line && Labels.SequenceEqual(other.Labels);

        public override int GetHashCode() => HashCode.Combine(Ns, Line);

        public override string ToString() => $"{Ns} {Line} {{{string.Join(", ", Labels.Select(l => $"{l.Key}={l.Value}"))}}}";
    }
}
