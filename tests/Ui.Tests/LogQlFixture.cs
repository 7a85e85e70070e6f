using System.Globalization;
using System.Net.Sockets;
using System.Text;
using TestSupport;

namespace Ui.Tests;

/// <summary>
/// A Collector holding structured application logs of namespace <c>shop</c>: <see cref="ApiPod"/> writes
/// <see cref="JsonCount"/> JSON lines (odd ones an error with status 500, at syslog severity err; even ones info with
/// 200) and one plain line, <see cref="WorkerPod"/> two logfmt lines (a warning and an info).
/// </summary>
public sealed class LogQlFixture : IAsyncLifetime
{
    public const string ApiPod = "api-1";
    public const string WorkerPod = "worker-1";
    public const int JsonCount = 6;
    public const string Plain = "starting api on :8080";
    public const string Slow = "level=warn msg=\"queue slow\" depth=42";
    public const string Drained = "level=info msg=\"queue drained\" depth=0";

    private readonly TempDirectory _directory = TempDirectory.Create("logql-view");

    public RunningCollector Collector { get; private set; } = null!;

    public static bool IsError(int i) => i % 2 == 1;

    public static string Msg(int i) => string.Create(CultureInfo.InvariantCulture, $"payment {(IsError(i) ? "failed" : "ok")} {i}");

    /// <summary>JSON line <paramref name="i"/> of <see cref="ApiPod"/>.</summary>
    public static string Json(int i) => string.Create(
        CultureInfo.InvariantCulture,
        $"{{\"level\":\"{(IsError(i) ? "error" : "info")}\",\"msg\":\"{Msg(i)}\",\"status\":{(IsError(i) ? 500 : 200)},\"user\":\"u{i}\"}}");

    public async Task InitializeAsync()
    {
        var start = TimeProvider.System.GetUtcNow().AddMinutes(-10);
        Collector = await RunningCollector.StartAsync(_directory);
        string api = $"[k8s@32473 namespace=\"shop\" pod=\"{ApiPod}\" container=\"api\"]";
        string worker = $"[k8s@32473 namespace=\"shop\" pod=\"{WorkerPod}\" container=\"worker\"]";
        var frames = new StringBuilder(Frame(start, 14, api, Plain));
        for (int i = 0; i < JsonCount; i++)
        {
            frames.Append(Frame(start.AddSeconds(2 + (2 * i)), IsError(i) ? 11 : 14, api, Json(i)));
        }

        frames.Append(Frame(start.AddSeconds(20), 12, worker, Slow));
        frames.Append(Frame(start.AddSeconds(21), 14, worker, Drained));
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(Collector.Tcp);
            await client.GetStream().WriteAsync(Encoding.UTF8.GetBytes(frames.ToString()));
        }

        await Collector.WaitForLinesAsync(JsonCount + 3);
    }

    public async Task DisposeAsync()
    {
        await Collector.DisposeAsync();
        _directory.Dispose();
    }

    // RFC 6587 octet counting; priority 8 + severity (user facility).
    private static string Frame(DateTimeOffset time, int priority, string sd, string message)
    {
        string body = string.Create(CultureInfo.InvariantCulture,
            $"<{priority}>1 {time.ToUniversalTime():yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'} node-1 shop - stdout {sd} {message}");
        return $"{Encoding.UTF8.GetByteCount(body)} {body}";
    }
}
