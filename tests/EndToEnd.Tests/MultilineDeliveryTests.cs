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
        await using var forwarder = await ForwarderProcess.StartAsync(tree.ContainersGlob, [$"relp://{collector.Relp}"], dir.Combine("state"));
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
    }

    /// <summary>
    /// MSG of a stored line, control characters unescaped (#012 is LF, #011 TAB): after the origin element, which is
    /// the last of our SD elements.
    /// </summary>
    private static string MessageOf(string line)
    {
        int origin = line.IndexOf("[o@32473 ", StringComparison.Ordinal);
        Assert.True(origin >= 0, $"no origin element in {line}");
        string message = line[(line.IndexOf("] ", origin, StringComparison.Ordinal) + 2)..];
        return message.Replace("#012", "\n", StringComparison.Ordinal).Replace("#011", "\t", StringComparison.Ordinal);
    }
}
