using System.Text;
using TestSupport;

namespace EndToEnd.Tests;

/// <summary>
/// Multiline events end to end: a real Forwarder joins a Java and a Python trace written between other lines on stdout
/// and stderr, and a real Collector stores each as one line over relp://.
/// </summary>
public sealed class MultilineDeliveryTests
{
    private static readonly string[] Java =
    [
        "Exception in thread \"main\" java.lang.IllegalStateException: cart is empty",
        "\tat com.shop.Cart.checkout(Cart.java:118)",
        "\tat com.shop.Main.main(Main.java:9)",
    ];

    private static readonly string[] Python =
    [
        "Traceback (most recent call last):",
        "  File \"/app/worker.py\", line 12, in <module>",
        "    main()",
        "ZeroDivisionError: division by zero",
    ];

    [Fact]
    public async Task AJavaAndAPythonTraceBetweenOtherLinesAreStoredAsOneMessageEach()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("shop", "web-7d9f8c6b5d-x2k4p", "app", RuntimeFormat.Cri);
        (string Text, bool Stderr)[] lines =
        [
            ("GET /a 200", false),
            (Java[0], false),
            (Python[0], true),
            (Java[1], false),
            (Python[1], true),
            (Python[2], true),
            (Java[2], false),
            (Python[3], true),
            ("GET /b 200", false),
            ("worker exited", true),
            ("GET /c 200", false),
        ];

        // One write: the Forwarder reads it in one go, so which event completes first does not depend on timing.
        File.AppendAllText(log.RealPath, string.Concat(lines.Select((l, n) => log.Render(l.Text, n, l.Stderr))), new UTF8Encoding(false));
        await using var collector = await CollectorProcess.StartAsync(dir.Combine("messages"));
        await using var forwarder = await ForwarderProcess.StartAsync(
            tree.ContainersGlob, [$"relp://{collector.Relp}"], dir.Combine("state"), "--multiline", "auto");
        await Wait.UntilAsync(() => collector.ReadLines().Length >= 6, "6 lines stored", TimeSpan.FromSeconds(60));
        await Wait.UntilQuietAsync(
            () => collector.ReadLines().Length,
            TimeSpan.FromSeconds(2),
            "the messages file",
            TimeSpan.FromSeconds(30),
            TimeSpan.FromMilliseconds(100));

        // Each stdout line is sent when the next one comes, the stderr trace when "worker exited" begins the next
        // event, the last two lines after the flush timeout, oldest first.
        Assert.Equal(
            ["GET /a 200", string.Join('\n', Java), string.Join('\n', Python), "GET /b 200", "worker exited", "GET /c 200"],
            collector.ReadLines().Select(MessageOf));

        // The API gives each trace back as one entry with its real newlines (stdout and stderr are separate streams).
        var fromApi = await ApiMessagesAsync(collector);
        Assert.Equal(
            new[] { "GET /a 200", string.Join('\n', Java), string.Join('\n', Python), "GET /b 200", "worker exited", "GET /c 200" }
                .Order(StringComparer.Ordinal),
            fromApi.Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// A Forwarder killed while a complete stdout event waits behind an open stderr event that may end before it,
    /// restarted on its state, then a third one without state reading the file from the top: each event is stored
    /// exactly once, and every message sent again is dropped as a re-send (none has an empty or backwards range).
    /// </summary>
    [Fact]
    public async Task AForwarderKilledWhileAnEventWaitsStoresEachEventOnceAndEveryResendIsDropped()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("shop", "web-0", "app", RuntimeFormat.Cri);
        (string Text, bool Stderr)[] lines =
        [
            ("java.lang.IllegalStateException: boom", true),
            ("GET /a 200", false),
            ("GET /b 200", false),
            ("INFO stderr next", true),
            ("GET /c 200", false),
            ("GET /d 200", false),
            ("worker exited", true),
            ("GET /e 200", false),
        ];
        string[] rendered = [.. lines.Select((l, n) => log.Render(l.Text, n, l.Stderr))];
        long stderrNextAt = rendered.Take(3).Sum(l => (long)Encoding.UTF8.GetByteCount(l));
        await using var collector = await CollectorProcess.StartAsync(dir.Combine("messages"));
        string state = dir.Combine("state");

        // The exception is complete at "INFO stderr next"; "GET /c" is complete at "GET /d" but waits, as "INFO stderr
        // next" may be a whole event ending before it (the flush timeout is long): the checkpoint stays at that line.
        var first = await ForwarderProcess.StartAsync(
            tree.ContainersGlob, [$"relp://{collector.Relp}"], state, "--multiline-flush-timeout", "10m");
        File.AppendAllText(log.RealPath, string.Concat(rendered[..6]), new UTF8Encoding(false));
        await Wait.UntilAsync(() => collector.ReadLines().Length >= 3, "3 lines stored", TimeSpan.FromSeconds(60));
        await Wait.UntilAsync(() => SavedOffset(state) == stderrNextAt, "the checkpoint at \"INFO stderr next\"", TimeSpan.FromSeconds(30));
        await first.KillAsync();
        Assert.Equal(["java.lang.IllegalStateException: boom", "GET /a 200", "GET /b 200"], collector.ReadLines().Select(MessageOf));

        File.AppendAllText(log.RealPath, string.Concat(rendered[6..]), new UTF8Encoding(false));
        string[] expected = [.. lines.Select(l => l.Text)];
        await using (var second = await ForwarderProcess.StartAsync(
            tree.ContainersGlob, [$"relp://{collector.Relp}"], state, "--multiline-flush-timeout", "300ms"))
        {
            await WaitUntilSettledAsync(collector, () => collector.ReadLines().Length >= expected.Length, $"{expected.Length} lines stored");
        }

        Assert.Equal(expected, collector.ReadLines().Select(MessageOf));
        double dropped = await DuplicatesAsync(collector);

        // Without state the file is read from the top: all eight are sent again and each must be dropped.
        await using (var third = await ForwarderProcess.StartAsync(
            tree.ContainersGlob, [$"relp://{collector.Relp}"], dir.Combine("state-2"), "--multiline-flush-timeout", "300ms"))
        {
            await WaitUntilSettledAsync(
                collector,
                () => DuplicatesAsync(collector).GetAwaiter().GetResult() + collector.ReadLines().Length >= dropped + (2 * expected.Length),
                "every message of the re-read handled");
        }

        Assert.Equal(expected, collector.ReadLines().Select(MessageOf));
        Assert.Equal(dropped + expected.Length, await DuplicatesAsync(collector));
    }

    private static async Task WaitUntilSettledAsync(CollectorProcess collector, Func<bool> condition, string what)
    {
        await Wait.UntilAsync(condition, what, TimeSpan.FromSeconds(60));
        await Wait.UntilQuietAsync(
            () => collector.ReadLines().Length,
            TimeSpan.FromSeconds(2),
            "the messages file",
            TimeSpan.FromSeconds(30),
            TimeSpan.FromMilliseconds(100));
    }

    /// <summary>The offset checkpoints.json holds for the one file; -1 before it was written.</summary>
    private static long SavedOffset(string state)
    {
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(state, "checkpoints.json")));
            return json.RootElement.GetProperty("files").EnumerateArray().Single().GetProperty("offset").GetInt64();
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or InvalidOperationException or KeyNotFoundException)
        {
            return -1;
        }
    }

    private static async Task<double> DuplicatesAsync(CollectorProcess collector)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return Metrics.Sum(await http.GetStringAsync(new Uri(collector.Http, "/metrics")), "kubesyslog_collector_source_duplicates_total");
    }

    private static async Task<List<string>> ApiMessagesAsync(CollectorProcess collector)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        // The lines' times are the runtime's, fixed on 2026-11-22 from 10:00: the default range would miss them.
        string query = Uri.EscapeDataString("{namespace=\"shop\"}");
        string url = $"{collector.Http}api/v1/query_range?query={query}&start=2026-11-22T00:00:00Z&end=2026-11-23T00:00:00Z&limit=100";
        using var json = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri(url)));
        return json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .SelectMany(stream => stream.GetProperty("values").EnumerateArray())
            .Select(value => value[2].GetProperty("message").GetString()!)
            .ToList();
    }

    /// <summary>MSG of a stored line (either layout), control characters unescaped (#012 is LF, #011 TAB).</summary>
    private static string MessageOf(string line) =>
        StoredMessage.Of(line).Replace("#012", "\n", StringComparison.Ordinal).Replace("#011", "\t", StringComparison.Ordinal);
}
