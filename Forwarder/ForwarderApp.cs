using System.Net;
using Forwarder.Configuration;
using Forwarder.Discovery;
using Forwarder.Enrichment;
using Forwarder.Metadata;
using Forwarder.Observability;
using Forwarder.RateLimiting;
using Forwarder.Shipping;
using Forwarder.Tailing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Shared.Hosting;

namespace Forwarder;

/// <summary>
/// Composes the Forwarder: Discovery → Tailing (Parsing, Enrichment) → ShippingQueue → Shipper → targets, plus health
/// and metrics over HTTP. Program.cs and the tests build it the same way.
/// </summary>
public static class ForwarderApp
{
    /// <summary>Builds the app, or returns null with the configuration errors (each names its key and value).</summary>
    public static WebApplication? Build(IReadOnlyList<string> args, out List<string> errors, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        if (!CommandLine.TryParse(args, out var switches, out _, out string? error))
        {
            errors = [error!];
            return null;
        }

        builder.Configuration.AddInMemoryCollection(switches);
        configure?.Invoke(builder);
        var options = ForwarderOptionsReader.Read(builder.Configuration, out errors);
        if (errors.Count > 0)
        {
            return null;
        }

        var store = new CheckpointStore(options.State, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        try
        {
            store.EnsureWritable();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add($"{ForwarderOptions.Section}:State must be a writable directory, was '{options.State}' ({e.Message})");
            return null;
        }

        // Serilog replaces the host's logging providers (Serilog.Extensions.Hosting).
        ConsoleLogging.Add(builder.Services, options.LogLevel, options.LogFormat);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = ForwarderService.DrainTimeout + TimeSpan.FromSeconds(5));
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new CheckpointStore(options.State, sp.GetRequiredService<ILogger<CheckpointStore>>()));
        services.AddSingleton(sp => CreateScanner(options, sp.GetRequiredService<ILogger<FileScanner>>()));
        services.AddSingleton(sp => new DiscoveryWatcher(
            options.Include.Select(GlobPattern.Parse).ToList(),
            sp.GetRequiredService<ILogger<DiscoveryWatcher>>()));
        services.AddSingleton(new ShippingQueue(options.QueueSize));
        services.AddSingleton<ShippingCounters>();
        services.AddSingleton<TailingCounters>();
        services.AddSingleton<CollectorLink>();
        services.AddSingleton<Shipper>();
        services.AddSingleton<StallDetector>();
        MetadataServices.Add(services, options);
        // Keyed, and only if not there: a test gives the buckets a clock of its own (TryAdd keeps the first).
        services.TryAddKeyedSingleton(RateLimits.ClockKey, TimeProvider.System);
        services.AddSingleton(sp => new RateLimits(
            options.RateLimitPod,
            options.RateLimitNamespace,
            sp.GetRequiredKeyedService<TimeProvider>(RateLimits.ClockKey)));
        services.AddSingleton<TailingLoop>();
        services.AddSingleton<ForwarderMetrics>();
        services.AddHostedService<ForwarderService>();
        services.AddSingleton<MemoryTrimmer>();
        services.AddHostedService(sp => sp.GetRequiredService<MemoryTrimmer>());

        if (options.Http is { } http)
        {
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.AddServerHeader = false;
                kestrel.Listen(http);
            });
        }
        else
        {
            // Without an endpoint Kestrel would bind its default, localhost:5000; a port of the system's choosing on
            // loopback is the nearest thing to "no HTTP" that keeps one composition for both cases.
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0));
        }

        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILogger<ForwarderService>>();
        ForwarderLog.Starting(
            logger,
            options.Node,
            string.Join(' ', options.Include),
            string.Join(' ', options.Targets),
            Path.GetFullPath(options.State));
        HealthEndpoints.Map(app);

        // With port 0 the log is the only place that says which port was taken.
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            foreach (string address in addresses)
            {
                if (Uri.TryCreate(address, UriKind.Absolute, out var uri) && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip))
                {
                    ForwarderLog.HttpListening(logger, new IPEndPoint(ip, uri.Port));
                }
            }
        });
        return app;
    }

    private static FileScanner CreateScanner(ForwarderOptions options, ILogger<FileScanner> logger)
    {
        var include = options.Include.Select(GlobPattern.Parse).ToList();
        var exclude = options.Exclude.Select(GlobPattern.Parse).ToList();
        var pods = options.ExcludePods.Select(p => GlobPattern.Parse("/" + p)).ToList();
        var namespaces = new HashSet<string>(options.ExcludeNamespaces, StringComparer.Ordinal);
        string? self = Environment.GetEnvironmentVariable("POD_NAME");
        return new FileScanner(include, exclude, file =>
        {
            // Kubernetes identity from the path: excluded namespaces, excluded pods, and this very pod.
            if (KubernetesPath.FromPaths(file.Chain) is not { } pod)
            {
                return false;
            }

            return namespaces.Contains(pod.Namespace)
                || pod.Pod == self
                || pods.Exists(p => p.IsMatch("/" + pod.Pod));
        }, logger);
    }
}
