using System.Text;
using TestSupport;

namespace EndToEnd.Tests;

/// <summary>
/// The default size limits of the pair (issue 18): the Forwarder's <c>--max-line-size</c> (256 KiB) and the
/// Collector's <c>--max-message-size</c> (260 KiB) agree, so a long line is cut once, at the Forwarder, and never
/// again on arrival (docs/collector.md, Size limit). Both programs run with their defaults, over relp://.
/// </summary>
public sealed class DefaultSizeLimitTests
{
    private const int MaxLineSize = 256 * 1024;

    [Fact]
    public async Task ALineOf200000BytesIsStoredWholeAndALongerOneIsCutOnceAtTheForwarderAndMarked()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("shop", "web-7d9f8c6b5d-x2k4p", "app", RuntimeFormat.Cri);
        // Numbered, so a lost or repeated piece of the runtime's 16 KiB fragments shows in the comparison.
        string whole = Numbered(200_000);
        string tooLong = Numbered(300_000);
        string[] messages = ["GET /a 200", whole, tooLong, "GET /end 200"];
        File.AppendAllText(log.RealPath, string.Concat(messages.Select((m, n) => log.Render(m, n, stderr: false))), new UTF8Encoding(false));

        await using var collector = await CollectorProcess.StartAsync(dir.Combine("messages"));
        await using var forwarder = await ForwarderProcess.StartAsync(tree.ContainersGlob, [$"relp://{collector.Relp}"], dir.Combine("state"));
        await Wait.UntilAsync(() => collector.ReadLines().Length >= messages.Length, $"{messages.Length} lines stored", TimeSpan.FromSeconds(60));
        await Wait.UntilQuietAsync(
            () => collector.ReadLines().Length,
            TimeSpan.FromSeconds(2),
            "the messages file",
            TimeSpan.FromSeconds(30),
            TimeSpan.FromMilliseconds(100));

        string[] stored = collector.ReadLines();
        Assert.Equal(["GET /a 200", whole, tooLong[..MaxLineSize], "GET /end 200"], stored.Select(StoredMessage.Of));
        Assert.Equal([false, false, true, false], stored.Select(l => l.Contains("truncated=", StringComparison.Ordinal)));
        Assert.Contains("truncated=\"300000\"", stored[2], StringComparison.Ordinal);
    }

    /// <summary>9-digit numbers, each followed by a comma, cut at <paramref name="length"/> characters.</summary>
    private static string Numbered(int length)
    {
        var text = new StringBuilder(length + 10);
        for (int i = 0; text.Length < length; i++)
        {
            text.Append(i.ToString("D9", System.Globalization.CultureInfo.InvariantCulture)).Append(',');
        }

        return text.ToString(0, length);
    }
}
