using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Collector.Configuration;
using Collector.Observability;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Collector.Ingest.Tls;

/// <summary>
/// Builds the TLS listeners' parts from the options at start: reads the certificate pair and the client CA file
/// (a file that does not load is a configuration error, named by its key), and puts the handshake in front of a
/// Kestrel listener. Without a TLS listener only the counters exist (the plain port counts TLS clients too).
/// </summary>
public sealed class TlsSetup
{
    private readonly CollectorOptions _options;
    private readonly TlsServerCertificate? _certificate;
    private readonly X509Certificate2Collection _authorities;

    private TlsSetup(CollectorOptions options, TlsServerCertificate? certificate, X509Certificate2Collection authorities)
    {
        _options = options;
        _certificate = certificate;
        _authorities = authorities;
    }

    public TlsCounters Counters { get; private init; } = new(TimeProvider.System);

    /// <summary>The setup; adds to <paramref name="errors"/> a message per file that cannot be used.</summary>
    public static TlsSetup TryCreate(CollectorOptions options, List<string> errors)
    {
        string s = CollectorOptions.Section;
        var authorities = new X509Certificate2Collection();
        if (!options.AnyTls() || options.TlsCert is null || options.TlsKey is null)
        {
            return new TlsSetup(options, null, authorities);
        }

        var counters = new TlsCounters(TimeProvider.System);
        var certificate = TlsServerCertificate.TryLoad(options.TlsCert, options.TlsKey, TimeProvider.System, counters, out string? error);
        if (certificate is null)
        {
            errors.Add($"{s}:TlsCert and {s}:TlsKey must be a PEM certificate valid now and its private key, were " +
                $"'{options.TlsCert}' and '{options.TlsKey}': {error}");
        }

        if (options.TlsClientCa is { } ca && options.ClientAuthInEffect() is TlsClientAuth.CertValid or TlsClientAuth.Name)
        {
            try
            {
                authorities.ImportFromPemFile(ca);
                if (authorities.Count == 0)
                {
                    errors.Add($"{s}:TlsClientCa must be a PEM file of CA certificates, was '{ca}' (no certificate in it)");
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
            {
                errors.Add($"{s}:TlsClientCa must be a readable PEM file of CA certificates, was '{ca}': {ex.Message}");
            }
        }

        return new TlsSetup(options, certificate, authorities) { Counters = counters };
    }

    public void Register(IServiceCollection services)
    {
        if (_certificate is null)
        {
            return;
        }

        services.AddSingleton(_certificate);
        services.AddSingleton(sp => new TlsClientValidator(
            _options.ClientAuthInEffect(), _authorities, _options.TlsPermittedPeer, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(new TlsHandshakeSlots(_options.TlsMaxHandshakes, Counters));
        services.AddSingleton<TlsHandshake>();
    }

    /// <summary>Puts the TLS handshake in front of the listener's connection handler.</summary>
    public void Use(ListenOptions listen, string name)
    {
        TlsHandshake? handshake = null;
        listen.Use(next => connection =>
        {
            handshake ??= listen.ApplicationServices.GetRequiredService<TlsHandshake>();
            return handshake.OnConnectionAsync(connection, next, name);
        });
    }

    /// <summary>Once the host runs: logs the listeners and starts watching the certificate files.</summary>
    public void Started(IServiceProvider services, ListenerState listeners)
    {
        if (_certificate is null)
        {
            return;
        }

        var logger = services.GetRequiredService<ILogger<TlsHandshake>>();
        _certificate.Watch(_options.TlsReloadInterval, services.GetRequiredService<TimeProvider>(), logger);
        string auth = TlsOptionsRules.Word(_options.ClientAuthInEffect());
        if (listeners.Tls is { } tls)
        {
            TlsLog.TlsListening(logger, tls, auth);
        }

        if (listeners.RelpTls is { } relpTls)
        {
            TlsLog.RelpTlsListening(logger, relpTls, auth);
        }
    }
}
