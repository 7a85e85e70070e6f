using Collector.Api;
using Collector.Api.Https;
using Collector.Configuration;
using Collector.Ingest;
using Collector.Ingest.Tls;
using Collector.Observability;
using Collector.Relay;
using Collector.Search;
using Collector.Sources;
using Collector.Storage;
using Collector.Storage.Index;
using Collector.Ui;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Shared.Hosting;

namespace Collector;

/// <summary>
/// Composes the Collector: listeners (Ingest) → bounded queue → one writer (Storage), plus health and metrics over
/// HTTP. Program.cs and the tests build it the same way.
/// </summary>
public static class CollectorApp
{
    /// <summary>Builds the app, or returns null with the configuration errors (each names its key and value).</summary>
    public static WebApplication? Build(IReadOnlyList<string> args, out List<string> errors, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        if (!CommandLine.TryParse(args, out var switches, out _, out string? error))
        {
            errors = [error!];
            return null;
        }

        builder.Configuration.AddInMemoryCollection(switches);
        configure?.Invoke(builder);
        var options = CollectorOptionsReader.Read(builder.Configuration, out errors);
        if (errors.Count > 0)
        {
            return null;
        }

        var tls = TlsSetup.TryCreate(options, errors);
        var https = HttpsSetup.TryCreate(options, errors);
        if (errors.Count > 0)
        {
            return null;
        }

        // Serilog replaces the host's logging providers (Serilog.Extensions.Hosting).
        ConsoleLogging.Add(builder.Services, options.LogLevel, options.LogFormat);
        var listeners = new ListenerState();
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(listeners);
        // Tests may register their own clock (a FakeTimeProvider) through configure.
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(new LineFormatter(options.Format));
        services.AddSingleton(new StorageChannel(options.QueueSize));
        services.AddSingleton<StorageCounters>();
        services.AddSingleton<IngestMetrics>();
        services.AddSingleton(tls.Counters);
        tls.Register(services);
        services.AddSingleton(https);
        services.AddSingleton<ConnectionTracker>();
        services.AddSingleton<CollectorMetrics>();
        services.AddSingleton<WrittenLines>();
        services.AddSingleton(MessagesFiles.For(options));
        services.AddSingleton<IndexStore>();
        services.AddSingleton<ReadGate>();
        services.AddSingleton<SearchEngine>();
        services.AddSingleton<Api.Access.ApiAccess>();
        services.AddSingleton<SearchEndpoints>();
        services.AddSingleton<VolumeCounter>();
        services.AddSingleton<VolumeEndpoints>();
        Api.Loki.LokiRoutes.AddServices(services);
        services.AddSingleton<GravityEndpoints>();
        services.AddSingleton<TailEndpoints>();
        services.AddSingleton<TailHub>();
        services.AddSingleton<RelayFanout>();
        services.AddSingleton<RelayManager>();
        services.AddSingleton<RelayEndpoints>();

        // Origins (docs/sources.md): the tracker starts before the writer and the listeners (it seeds the marks from
        // the file) and stops after the writer drained (it reads back the last lines and saves).
        services.AddSingleton<SourceMarks>();
        services.AddSingleton(new SourceLedger(options.Format));
        services.AddSingleton<SourceTracker>();
        services.AddHostedService(sp => sp.GetRequiredService<SourceTracker>());
        services.AddSingleton<SourceEndpoints>();

        // Writer first: it opens the file before any listener accepts, and drains after all of them stopped.
        services.AddSingleton<MessagesFileWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<MessagesFileWriter>());

        // Relays stop after the listeners (nothing new arrives) and before the writer; each sends or spills what it
        // holds.
        services.AddHostedService(sp => sp.GetRequiredService<RelayManager>());
        services.AddSingleton<UdpReceiver>();
        services.AddHostedService(sp => sp.GetRequiredService<UdpReceiver>());
        services.AddHostedService(sp => sp.GetRequiredService<TailHub>());

        // A paused connection (storage full) holds at most this much in its pipe: 1 MiB by default, which with
        // 10,000 connections would be 10 GB. It must exceed the longest frame, or a frame could never complete.
        builder.WebHost.UseSockets(sockets => sockets.MaxReadBufferSize = Math.Max(256 * 1024, (2L * options.MaxMessageSize) + (64 * 1024)));

        ListenOptions? tcpListen = null, relpListen = null, httpListen = null, tlsListen = null, relpTlsListen = null, httpsListen = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            if (options.Tcp is { } tcp)
            {
                kestrel.Listen(tcp, listen =>
                {
                    listen.UseConnectionHandler<SyslogTcpConnectionHandler>();
                    tcpListen = listen;
                });
            }

            if (options.Relp is { } relp)
            {
                kestrel.Listen(relp, listen =>
                {
                    listen.UseConnectionHandler<RelpConnectionHandler>();
                    relpListen = listen;
                });
            }

            if (options.Tls is { } tlsEndpoint)
            {
                kestrel.Listen(tlsEndpoint, listen =>
                {
                    tls.Use(listen, "tls");
                    listen.UseConnectionHandler<SyslogTcpConnectionHandler>();
                    tlsListen = listen;
                });
            }

            if (options.RelpTls is { } relpTls)
            {
                kestrel.Listen(relpTls, listen =>
                {
                    tls.Use(listen, "relp-tls");
                    listen.UseConnectionHandler<RelpConnectionHandler>();
                    relpTlsListen = listen;
                });
            }

            if (options.Http is { } http)
            {
                kestrel.Listen(http, listen => httpListen = listen);
            }

            // The same routes as --http: the middleware (tokens, API, UI) does not know which endpoint a request used.
            if (options.Https is { } httpsEndpoint)
            {
                kestrel.Listen(httpsEndpoint, listen =>
                {
                    https.Use(listen);
                    httpsListen = listen;
                });
            }
        });

        var app = builder.Build();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var logger = app.Services.GetRequiredService<ILogger<SyslogTcpConnectionHandler>>();
            listeners.Tcp = tcpListen?.IPEndPoint;
            listeners.Relp = relpListen?.IPEndPoint;
            listeners.Http = httpListen?.IPEndPoint;
            listeners.Tls = tlsListen?.IPEndPoint;
            listeners.RelpTls = relpTlsListen?.IPEndPoint;
            listeners.Https = httpsListen?.IPEndPoint;
            if (listeners.Tcp is not null)
            {
                IngestLog.TcpListening(logger, listeners.Tcp);
            }

            if (listeners.Relp is not null)
            {
                IngestLog.RelpListening(logger, listeners.Relp, options.RelpAckAfter == RelpAckAfter.Fsync ? "fdatasync" : "the write");
            }

            if (listeners.Http is not null)
            {
                IngestLog.HttpListening(logger, listeners.Http);
            }

            tls.Started(app.Services, listeners);
            https.Started(app.Services, listeners);

            listeners.Bound = true;
        });
        app.Lifetime.ApplicationStopping.Register(() => IngestLog.Stopping(app.Services.GetRequiredService<ILogger<SyslogTcpConnectionHandler>>()));
        var hangup = ReopenOnHangup.Register(app.Services.GetRequiredService<MessagesFileWriter>());
        app.Lifetime.ApplicationStopped.Register(hangup.Dispose);
        app.Lifetime.ApplicationStopped.Register(https.Dispose);
        HealthEndpoints.Map(app);
        ApiEndpoints.Map(app);
        UiEndpoints.Map(app);
        return app;
    }
}
