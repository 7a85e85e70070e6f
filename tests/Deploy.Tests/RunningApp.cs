using System.Net;
using Collector;
using Forwarder;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TestSupport;

namespace Deploy.Tests;

/// <summary>
/// The real Collector or Forwarder in this process, built by the same
/// <c>CollectorApp.Build</c>/<c>ForwarderApp.Build</c> as the executables, with the settings a manifest gives it: only
/// files and addresses are moved into a temp directory and onto loopback ports of the system's choosing (the HTTP
/// endpoint is the app's only Kestrel endpoint).
/// </summary>
internal sealed class RunningApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RunningApp(WebApplication app) => _app = app;

    public Uri Http => new(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());

    public TimeSpan ShutdownTimeout => _app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout;

    public static Task<RunningApp> StartCollectorAsync(IReadOnlyDictionary<string, string> environment, TempDirectory directory) =>
        StartAsync(environment, "Collector", new()
        {
            ["Collector:Tcp"] = string.Empty,
            ["Collector:Udp"] = "127.0.0.1:0",
            ["Collector:Http"] = "127.0.0.1:0",
            ["Collector:Relp"] = string.Empty,
            ["Collector:File"] = directory.Combine("messages"),
            ["Collector:LogLevel"] = "Warning",
        }, configure => CollectorApp.Build([], out var errors, configure) ?? throw new InvalidOperationException(string.Join("; ", errors)));

    public static Task<RunningApp> StartForwarderAsync(IReadOnlyDictionary<string, string> environment, TempDirectory directory)
    {
        Directory.CreateDirectory(directory.Combine("containers"));
        return StartAsync(environment, "Forwarder", new()
        {
            ["Forwarder:Include:0"] = directory.Combine("containers", "*.log"),
            ["Forwarder:State"] = directory.Combine("state"),
            ["Forwarder:Http"] = "127.0.0.1:0",
            ["Forwarder:Targets:0"] = "tcp://127.0.0.1:9",
            ["Forwarder:LogLevel"] = "Warning",
        }, configure => ForwarderApp.Build([], out var errors, configure) ?? throw new InvalidOperationException(string.Join("; ", errors)));
    }

    private static async Task<RunningApp> StartAsync(
        IReadOnlyDictionary<string, string> environment,
        string section,
        Dictionary<string, string?> moved,
        Func<Action<WebApplicationBuilder>, WebApplication> build)
    {
        // Lists from the manifest (more include globs, more targets) would point at this machine's real paths or hosts.
        var settings = Settings.AsConfiguration(environment, section)
            .Where(s => !s.Key.StartsWith($"{section}:Include:", StringComparison.Ordinal)
                && !s.Key.StartsWith($"{section}:Targets:", StringComparison.Ordinal))
            .ToDictionary();
        var app = build(builder => builder.Configuration.AddInMemoryCollection(settings).AddInMemoryCollection(moved));
        await app.StartAsync();
        return new RunningApp(app);
    }

    /// <summary>
    /// Waits until <paramref name="path"/> answers 200 and returns its status code then (or the last one).
    /// </summary>
    public async Task<HttpStatusCode> GetUntilOkAsync(string path)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var status = HttpStatusCode.ServiceUnavailable;
        var deadline = Environment.TickCount64 + (long)Wait.DefaultTimeout.TotalMilliseconds;
        while (Environment.TickCount64 < deadline)
        {
            using var response = await http.GetAsync(new Uri(Http, path));
            status = response.StatusCode;
            if (status == HttpStatusCode.OK)
            {
                break;
            }

            await Task.Delay(50);
        }

        return status;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
