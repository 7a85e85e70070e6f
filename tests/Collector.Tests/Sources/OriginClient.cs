using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using TestSupport;

namespace Collector.Tests.Sources;

/// <summary>
/// A raw TCP client writing LF-framed RFC 5424 messages with hand-made origin elements, as a Forwarder (or anyone)
/// could.
/// </summary>
internal static class OriginClient
{
    public const string SourceA = "00000000000000aa";
    public const string SourceB = "00000000000000bb";

    public static string Message(
        string text,
        string? origin = null,
        string structuredData = "[k8s@32473 namespace=\"shop\" pod=\"cart-1\" container=\"app\"]") =>
        $"<14>1 2026-11-22T10:00:00Z node-7 app - stdout {structuredData}{origin ?? string.Empty} {text}";

    public static string Origin(string source, long from, long to) => $"[o@32473 s=\"{source}\" p=\"{from}-{to}\"]";

    public static async Task SendAsync(RunningCollector collector, params string[] messages)
    {
        using var client = await collector.ConnectAsync();
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(string.Concat(messages.Select(m => m + "\n"))));
        client.Client.Shutdown(SocketShutdown.Send);

        // The Collector closes its side once it has read everything: every message was handed to storage by then.
        var buffer = new byte[64];
        while (await stream.ReadAsync(buffer) > 0)
        {
        }
    }

    /// <summary>
    /// Sends the messages and then a sentinel, and returns the MSG of every line stored, once the sentinel is in.
    /// </summary>
    public static async Task<List<string>> SendAndReadAsync(RunningCollector collector, params string[] messages)
    {
        string sentinel = $"sentinel {Guid.NewGuid():N}";
        await SendAsync(collector, [.. messages, Message(sentinel, structuredData: "-")]);
        await Wait.UntilAsync(() => collector.ReadLines().Any(l => l.EndsWith(sentinel, StringComparison.Ordinal)), "the sentinel stored");
        return [.. collector.ReadLines().Select(Text)];
    }

    /// <summary>MSG of a stored line in the file format (either layout).</summary>
    public static string Text(string line) => StoredMessage.Of(line);

    public static async Task<JsonElement> SourcesAsync(RunningCollector collector, string query = "")
    {
        using var json = JsonDocument.Parse(await collector.GetAsync("/api/v1/sources" + query));
        return json.RootElement.GetProperty("data").Clone();
    }

    public static async Task<JsonElement> SourceAsync(RunningCollector collector, string id)
    {
        var data = await SourcesAsync(collector);
        return data.GetProperty("sources").EnumerateArray().Single(s => s.GetProperty("id").GetString() == id);
    }

    /// <summary>
    /// Waits until the ledger (which reads the file back once a second) has <paramref name="lines"/> lines of the
    /// source.
    /// </summary>
    public static async Task WaitForLedgerAsync(RunningCollector collector, string id, long lines)
    {
        long deadline = Environment.TickCount64 + (long)Wait.DefaultTimeout.TotalMilliseconds;
        string last = "";
        while (Environment.TickCount64 < deadline)
        {
            var data = await SourcesAsync(collector);
            last = data.ToString();
            if (data
                .GetProperty("sources")
                .EnumerateArray()
                .Any(s => s.GetProperty("id").GetString() == id && s.GetProperty("lines").GetInt64() == lines))
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new Xunit.Sdk.XunitException($"timed out waiting for {lines} lines of {id} in /api/v1/sources; last: {last}");
    }
}
