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
