using System.Net;
using System.Net.Sockets;
using System.Text;
using Collector;
using Collector.Observability;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace TestSupport;

/// <summary>
/// The real Collector app in this process, on loopback port 0 for TCP, UDP and HTTP, writing into a temp directory.
/// Built by the same <see cref="CollectorApp.Build"/> as the executable. Shared by Collector.Tests and Ui.Tests.
/// </summary>
public sealed class RunningCollector : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private RunningCollector(WebApplication app, string file)
    {
        _app = app;
        FilePath = file;
        var listeners = app.Services.GetRequiredService<ListenerState>();
        Tcp = listeners.Tcp!;
        Udp = listeners.Udp;
        Relp = listeners.Relp;
        Http = listeners.Http!;
    }

    /// <summary>The RELP listener, unless started with <c>--relp ""</c>.</summary>
    public IPEndPoint? Relp { get; }

    public IPEndPoint Tcp { get; }

    public IPEndPoint? Udp { get; }

    public IPEndPoint Http { get; }

    /// <summary>The HTTPS endpoint, when started with <c>--https</c>.</summary>
    public IPEndPoint? Https => _app.Services.GetRequiredService<ListenerState>().Https;

    public string FilePath { get; }

    public IServiceProvider Services => _app.Services;

    public string BaseUrl => $"http://{Http}";

    /// <summary>
    /// Starts a Collector writing to <c>messages</c> in <paramref name="directory"/>; <paramref name="extraArgs"/> are
    /// switches.
    /// </summary>
    public static Task<RunningCollector> StartAsync(TempDirectory directory, params string[] extraArgs) =>
        StartAsync(directory.Combine("messages"), token: null, extraArgs);

    /// <summary>
    /// A Collector whose timers and timestamps come from <paramref name="time"/> (a FakeTimeProvider the test
    /// advances).
    /// </summary>
    public static Task<RunningCollector> StartAsync(TempDirectory directory, TimeProvider time, params string[] extraArgs) =>
        StartAsync(directory.Combine("messages"), token: null, time, extraArgs);

    /// <summary>
    /// A Collector on <paramref name="file"/> (which may exist already, with its rotated files and index directory
    /// beside it), optionally requiring <paramref name="token"/> on the API.
    /// </summary>
    public static Task<RunningCollector> StartAsync(string file, string? token, params string[] extraArgs) =>
        StartAsync(file, token, time: null, extraArgs);

    private static async Task<RunningCollector> StartAsync(string file, string? token, TimeProvider? time, string[] extraArgs)
    {
        string[] args =
        [
            "--tcp", "127.0.0.1:0", "--udp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--relp", "127.0.0.1:0",
            "--file", file, "--log-level", "Warning",
            .. extraArgs,
        ];
        var app = CollectorApp.Build(args, out var errors, builder =>
        {
            if (token is not null)
            {
                builder.Configuration.AddInMemoryCollection([new("Collector:ApiToken", token)]);
            }

            if (time is not null)
            {
                builder.Services.AddSingleton(time);
            }
        }) ?? throw new InvalidOperationException(string.Join("; ", errors));
        await app.StartAsync();
        return new RunningCollector(app, file);
    }

    /// <summary>The lines of the messages file as text (without their LF).</summary>
    public string[] ReadLines() => ReadLines(FilePath);

    public static string[] ReadLines(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = reader.ReadToEnd();
        return text.Length == 0 ? [] : text.TrimEnd('\n').Split('\n');
    }

    public long LineCount() => File.Exists(FilePath) ? CountLines(FilePath) : 0;

    public static long CountLines(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var buffer = new byte[1 << 16];
        long count = 0;
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            count += buffer.AsSpan(0, n).Count((byte)'\n');
        }

        return count;
    }

    /// <summary>Waits until the file holds at least <paramref name="count"/> lines.</summary>
    public Task WaitForLinesAsync(long count, TimeSpan? timeout = null) =>
        Wait.UntilAsync(() => LineCount() >= count, $"{count} lines in {FilePath} (have {LineCount()})", timeout ?? TimeSpan.FromSeconds(60));

    /// <summary>
    /// Waits until the file holds at least <paramref name="count"/> lines and then gains none for a second, so that a
    /// check of the exact lines also sees duplicates and strays stored after the expected number.
    /// </summary>
    public async Task WaitForLinesThenQuietAsync(long count, TimeSpan? timeout = null)
    {
        await WaitForLinesAsync(count, timeout);
        await Wait.UntilQuietAsync(
            LineCount,
            TimeSpan.FromSeconds(1),
            $"the lines in {FilePath}",
            timeout ?? TimeSpan.FromSeconds(60),
            TimeSpan.FromMilliseconds(100));
    }

    public async Task<string> GetAsync(string path)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{Http}") };
        return await http.GetStringAsync(path);
    }

    /// <summary>
    /// A metric's value from /metrics (the first sample whose name and labels start with <paramref name="sample"/>).
    /// </summary>
    public async Task<double> MetricAsync(string sample)
    {
        var text = await GetAsync("/metrics");
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(sample, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"no metric {sample} in:\n{text}");
        return double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<TcpClient> ConnectAsync()
    {
        var client = new TcpClient();
        await client.ConnectAsync(Tcp);
        return client;
    }

    /// <summary>Completes when the Collector has closed (or reset) <paramref name="client"/>'s connection.</summary>
    public static async Task ClosedByCollectorAsync(TcpClient client)
    {
        var buffer = new byte[256];
        try
        {
            while (await client.GetStream().ReadAsync(buffer) > 0)
            {
            }
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Stops the app the way SIGTERM does (drains storage).</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _app.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
    }
}
