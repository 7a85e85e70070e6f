using System.Net.Security;
using System.Security.Authentication;
using Collector.Configuration;
using Collector.Ingest.Tls;
using Collector.Observability;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Collector.Api.Https;

/// <summary>
/// The <c>--https</c> endpoint: Kestrel's own HTTPS (HTTP/1.1 and HTTP/2 by ALPN) in front of the same routes as
/// <c>--http</c>, with its certificate pair from PEM files. The pair is the syslog listeners' kind of
/// <see cref="TlsServerCertificate"/> (its own files and counters): read again every <c>--tls-reload-interval</c>,
/// a changed pair that does not load is refused with one Error line and the previous one keeps serving. Kestrel asks
/// for the options at every handshake, so a rotated pair serves the next connection without a restart.
/// </summary>
public sealed class HttpsSetup : IDisposable
{
    private readonly CollectorOptions _options;
    private readonly TlsServerCertificate? _certificate;

    private HttpsSetup(CollectorOptions options, TlsServerCertificate? certificate, TlsCounters counters)
    {
        _options = options;
        _certificate = certificate;
        Counters = counters;
    }

    /// <summary>Reloads, refusals and the expiry of the HTTPS pair, for /metrics.</summary>
    public TlsCounters Counters { get; }

    public bool Enabled => _certificate is not null;

    /// <summary>The setup; adds to <paramref name="errors"/> the reason the pair cannot be used.</summary>
    public static HttpsSetup TryCreate(CollectorOptions options, List<string> errors)
    {
        var counters = new TlsCounters(TimeProvider.System);
        if (options.Https is null || options.HttpsCert is null || options.HttpsKey is null)
        {
            return new HttpsSetup(options, null, counters);
        }

        string s = CollectorOptions.Section;
        var certificate = TlsServerCertificate.TryLoad(options.HttpsCert, options.HttpsKey, TimeProvider.System, counters, out string? error);
        if (certificate is null)
        {
            errors.Add($"{s}:HttpsCert and {s}:HttpsKey must be a PEM certificate valid now and its private key, were " +
                $"'{options.HttpsCert}' and '{options.HttpsKey}': {error}");
        }

        return new HttpsSetup(options, certificate, counters);
    }

    /// <summary>Makes <paramref name="listen"/> an HTTPS endpoint served with the current pair.</summary>
    public void Use(ListenOptions listen)
    {
        var certificate = _certificate ?? throw new InvalidOperationException("HTTPS is not configured");
        listen.UseHttps(new TlsHandshakeCallbackOptions
        {
            HandshakeTimeout = _options.TlsHandshakeTimeout,
            OnConnection = _ => ValueTask.FromResult(new SslServerAuthenticationOptions
            {
                // Read per handshake: the context swapped in by the last reload, intermediates included.
                ServerCertificateContext = certificate.Current,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            }),
        });
    }

    /// <summary>Once the host runs: logs the endpoint and starts watching the certificate files.</summary>
    public void Started(IServiceProvider services, ListenerState listeners)
    {
        if (_certificate is null || listeners.Https is not { } endPoint)
        {
            return;
        }

        var logger = services.GetRequiredService<ILogger<HttpsSetup>>();
        _certificate.Watch(_options.TlsReloadInterval, services.GetRequiredService<TimeProvider>(), logger);
        HttpsLog.HttpsListening(logger, endPoint);
    }

    /// <summary>Stops watching the files (the host has stopped).</summary>
    public void Dispose() => _certificate?.Dispose();
}
