using Forwarder.Configuration;

namespace Forwarder.Metadata;

/// <summary>Registers the metadata source, its cache and the tailing loop's gate, as the options ask.</summary>
internal static class MetadataServices
{
    public static void Add(IServiceCollection services, ForwarderOptions options)
    {
        services.AddSingleton<MetadataCounters>();
        if (options.MetadataSource != MetadataSourceKind.ApiServer || KubeConnection.From(options, out _) is not { } connection)
        {
            services.AddSingleton(sp => new MetadataGate(null, TimeSpan.Zero, sp.GetRequiredService<MetadataCounters>()));
            return;
        }

        services.AddSingleton(sp => new PodMetadataCache(
            options.MetadataCacheSize,
            options.MetadataGrace,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<MetadataCounters>()));
        services.AddSingleton(sp => new MetadataGate(
            sp.GetRequiredService<PodMetadataCache>(),
            options.MetadataWait,
            sp.GetRequiredService<MetadataCounters>()));
        services.AddSingleton(sp => new ApiServerPodSource(
            connection,
            sp.GetRequiredService<PodMetadataCache>(),
            options,
            sp.GetRequiredService<MetadataCounters>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ApiServerPodSource>>()));
        services.AddHostedService<MetadataService>();
    }
}
