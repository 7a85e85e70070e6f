using System.Net;
using Collector;
using Collector.Observability;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;

namespace Ui.Tests;

/// <summary>The real Collector app in this process on loopback ports (as in Collector.Tests), optionally with an API token.</summary>
public sealed class RunningCollector : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RunningCollector(WebApplication app, string file)
    {
        _app = app;
        FilePath = file;
        var listeners = app.Services.GetRequiredService<ListenerState>();
        Tcp = listeners.Tcp!;
        Http = listeners.Http!;
    }

    public IPEndPoint Tcp { get; }

    public IPEndPoint Http { get; }

    public string FilePath { get; }

    public string BaseUrl => $"http://{Http}";

    public static Task<RunningCollector> StartAsync(TempDirectory directory, string? token = null) => StartAsync(directory.Combine("messages"), token);

    /// <summary>A Collector on an existing messages file (its rotated files and index directory beside it).</summary>
    public static async Task<RunningCollector> StartAsync(string file, string? token = null, params string[] extraArgs)
    {
        string[] args = ["--tcp", "127.0.0.1:0", "--udp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--relp", "127.0.0.1:0", "--file", file, "--log-level", "Warning", .. extraArgs];
        var app = CollectorApp.Build(args, out var errors, builder =>
        {
            if (token is not null)
            {
                builder.Configuration.AddInMemoryCollection([new("Collector:ApiToken", token)]);
            }
        }) ?? throw new InvalidOperationException(string.Join("; ", errors));
        await app.StartAsync();
        return new RunningCollector(app, file);
    }

    public long LineCount()
    {
        if (!File.Exists(FilePath))
        {
            return 0;
        }

        using var stream = new FileStream(FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var buffer = new byte[1 << 16];
        long count = 0;
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            count += buffer.AsSpan(0, n).Count((byte)'\n');
        }

        return count;
    }

    public Task WaitForLinesAsync(long count) =>
        Wait.UntilAsync(() => LineCount() >= count, $"{count} lines in {FilePath} (have {LineCount()})", TimeSpan.FromSeconds(60));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
