using Forwarder.Tailing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;

namespace Forwarder.Tests;

/// <summary>
/// The real Forwarder app in this process, built by the same <see cref="ForwarderApp.Build"/> as the executable, with
/// its HTTP endpoint on a loopback port of the system's choosing and its state in a temp directory.
/// </summary>
public sealed class RunningForwarder : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private RunningForwarder(WebApplication app, string state)
    {
        _app = app;
        State = state;
    }

    public string State { get; }

    public IServiceProvider Services => _app.Services;

    public Uri Http => new(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    /// <summary>
    /// Starts a Forwarder tailing <paramref name="include"/> and shipping to <paramref name="targets"/>.
    /// </summary>
    public static Task<RunningForwarder> StartAsync(TempDirectory directory, string include, string[] targets, params string[] extraArgs) =>
        StartAsync(directory, include, targets, null, extraArgs);

    /// <summary>
    /// As above; <paramref name="configure"/> may add services first (a fake clock for the rate limits, say).
    /// </summary>
    public static async Task<RunningForwarder> StartAsync(
        TempDirectory directory, string include, string[] targets, Action<WebApplicationBuilder>? configure, params string[] extraArgs)
    {
        string state = directory.Combine("state");
        var args = new List<string> { "--include", include, "--state", state, "--http", "127.0.0.1:0", "--node", "node-1", "--log-level", "Warning" };
        foreach (string target in targets)
        {
            args.Add("--to");
            args.Add(target);
        }

        args.AddRange(extraArgs);
        var app = ForwarderApp.Build(args, out var errors, configure) ?? throw new InvalidOperationException(string.Join("; ", errors));
        await app.StartAsync();
        var running = new RunningForwarder(app, state);

        // Files written from here on are new to it, not part of a tree it never saw (as on a real node at start-up).
        await Wait.UntilAsync(() => running.Tailing.Started, "the first scan");
        return running;
    }

    internal TailingLoop Tailing => _app.Services.GetRequiredService<TailingLoop>();

    public async Task<string> MetricsAsync()
    {
        using var http = new HttpClient();
        return await http.GetStringAsync(new Uri(Http, "/metrics"));
    }

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
