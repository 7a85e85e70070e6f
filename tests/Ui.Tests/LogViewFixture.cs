using System.Globalization;
using System.Net.Sockets;
using System.Text;
using TestSupport;

namespace Ui.Tests;

/// <summary>
/// A Collector holding what a Forwarder ships for two pods of namespace <c>shop</c>: <see cref="RequestCount"/>
/// request lines of <see cref="Pod"/> 2 s apart with a line of <see cref="OtherPod"/> between each two, a 15-line
/// Java stack trace of <see cref="Pod"/> on stderr after them, and one line of <see cref="Pod"/> in the layout before
/// message-first lines (in <c>messages.1</c>, as an upgrade leaves it); and in namespace <c>tools</c> one line whose
/// message is markup and whose own SD element has a value with every SD escape (<see cref="Markup"/>,
/// <see cref="Note"/>).
/// </summary>
public sealed class LogViewFixture : IAsyncLifetime
{
    public const string Node = "node-1";
    public const string Pod = "web-7d9f8c6b5d-x2k4p";
    public const string OtherPod = "cart-5f6d7c8b9-q8w2z";
    public const string ContainerId = "containerd://0b3c5e7a9d1f2b4c6e8a0d2f4b6c8e0a1c3e5a7b9d1f3b5d7f9a1c3e5b7d9f1a";
    public const string PodUid = "6f1c2a8e-93b4-4d2f-a1c7-5e8b9d0f2a31";
    public const string SourceId = "9f2c41d07e5ab318";
    public const int RequestCount = 12;
    public const string OldLineMessage = "req old GET /cart/old 200 9ms";
    public const string Markup = "<img src=x onerror=\"window.injected=1\"> & <b>bold</b>";

    /// <summary>
    /// A param value with a quote, a backslash and a bracket: <c>\"</c>, <c>\\</c>, <c>\]</c> in the SD.
    /// </summary>
    public const string Note = "say \"hi\" \\ [x]";
    public const string NoteEscaped = "say \\\"hi\\\" \\\\ [x\\]";

    private readonly TempDirectory _directory = TempDirectory.Create("log-view");

    public RunningCollector Collector { get; private set; } = null!;

    public DateTimeOffset Start { get; private set; }

    /// <summary>The message of request line <paramref name="i"/> of <see cref="Pod"/>.</summary>
    public static string Request(int i) => string.Create(CultureInfo.InvariantCulture, $"req {i} GET /cart/{i} 200 12ms");

    public static string Cart(int i) => string.Create(CultureInfo.InvariantCulture, $"cart {i} item added");

    /// <summary>A Java stack trace as the Forwarder's multiline join ships it: one message, 15 lines.</summary>
    public static readonly string Trace = string.Join('\n', [
        "java.lang.NullPointerException: Cannot invoke \"Cart.total()\" because \"cart\" is null",
        .. Enumerable.Range(1, 13).Select(i => string.Create(
            CultureInfo.InvariantCulture, $"\tat shop.web.Handler{i}.handle(Handler{i}.java:{40 + i})")),
        "\t... 27 more",
    ]);

    /// <summary>The byte range the origin element of request line <paramref name="i"/> names.</summary>
    public static string Bytes(int i) => string.Create(CultureInfo.InvariantCulture, $"{100 + (i * 60)}-{160 + (i * 60)}");

    public async Task InitializeAsync()
    {
        Start = TimeProvider.System.GetUtcNow().AddMinutes(-10);
        string sd = $"[k8s@32473 namespace=\"shop\" pod=\"{Pod}\" container=\"web\" container_id=\"{ContainerId}\" pod_uid=\"{PodUid}\"]";
        await File.WriteAllTextAsync(
            _directory.Combine("messages.1"),
            $"{Time(Start.AddSeconds(-60))} {Node} web: user.info stdout {sd}[o@32473 s=\"{SourceId}\" p=\"0-100\"] {OldLineMessage}\n");
        Collector = await RunningCollector.StartAsync(_directory);

        var frames = new StringBuilder();
        for (int i = 0; i < RequestCount; i++)
        {
            frames.Append(Frame(Start.AddSeconds(2 * i), 14, "web", "stdout", $"{sd}[o@32473 s=\"{SourceId}\" p=\"{Bytes(i)}\"]", Request(i)));
            frames.Append(Frame(
                Start.AddSeconds((2 * i) + 1),
                14,
                "cart",
                "stdout",
                $"[k8s@32473 namespace=\"shop\" pod=\"{OtherPod}\" container=\"cart\"]",
                Cart(i)));
        }

        frames.Append(Frame(Start.AddSeconds(30), 11, "web", "stderr", sd, Trace));
        frames.Append(Frame(
            Start.AddSeconds(40),
            13,
            "probe",
            "stdout",
            $"[k8s@32473 namespace=\"tools\" pod=\"probe-1\" container=\"probe\"][check@32473 note=\"{NoteEscaped}\"]",
            Markup));
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(Collector.Tcp);
            await client.GetStream().WriteAsync(Encoding.UTF8.GetBytes(frames.ToString()));
        }

        await Collector.WaitForLinesAsync((2 * RequestCount) + 2);
    }

    public async Task DisposeAsync()
    {
        await Collector.DisposeAsync();
        _directory.Dispose();
    }

    /// <summary>The stored line (from the files) that holds <paramref name="text"/>; exactly one must.</summary>
    public string StoredLine(string text)
    {
        var lines = Directory.GetFiles(Path.GetDirectoryName(Collector.FilePath)!, "messages*")
            .SelectMany(RunningCollector.ReadLines)
            .Where(l => l.Contains(text, StringComparison.Ordinal))
            .ToList();
        return Assert.Single(lines);
    }

    private static string Time(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    // RFC 6587 octet counting: the trace's newlines travel inside the frame.
    private static string Frame(DateTimeOffset time, int priority, string container, string stream, string sd, string message)
    {
        string body = $"<{priority}>1 {Time(time)} {Node} {container} - {stream} {sd} {message}";
        return $"{Encoding.UTF8.GetByteCount(body)} {body}";
    }
}
