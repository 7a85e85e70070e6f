using Forwarder.Configuration;

namespace Forwarder.Metadata;

/// <summary>Registers the metadata source, its cache and the tailing loop's gate, as the options ask.</summary>
internal static class MetadataServices
{
    public static void Add(IServiceCollection services, ForwarderOptions options)
    {
        services.AddSingleton<MetadataCounters>();
        var api = KubeConnection.From(options, out _);
        var kubelet = options.MetadataSource == MetadataSourceKind.Kubelet ? KubeletConnection.From(options, out _) : null;
        if ((options.MetadataSource == MetadataSourceKind.ApiServer && api is null)
            || (options.MetadataSource == MetadataSourceKind.Kubelet && kubelet is null)
            || options.MetadataSource == MetadataSourceKind.Off)
        {
            services.AddSingleton(sp => new MetadataGate(null, TimeSpan.Zero, sp.GetRequiredService<MetadataCounters>()));
            return;
        }

        services.AddSingleton(sp => new PodMetadataCache(
            options.MetadataCacheSize,
            options.MetadataGrace,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<MetadataCounters>()));
        var sources = new List<Func<IServiceProvider, Func<CancellationToken, Task>>>();
        if (kubelet is not null)
        {
            services.AddSingleton(sp => new KubeletPodSource(
                kubelet,
                api,
                sp.GetRequiredService<PodMetadataCache>(),
                options,
                sp.GetRequiredService<MetadataCounters>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<KubeletPodSource>>()));
            services.AddSingleton(sp => new MetadataGate(
                sp.GetRequiredService<PodMetadataCache>(),
                options.MetadataWait,
                sp.GetRequiredService<MetadataCounters>(),
                sp.GetRequiredService<KubeletPodSource>().RequestFetch));
            sources.Add(sp => sp.GetRequiredService<KubeletPodSource>().RunAsync);
        }
        else
        {
            services.AddSingleton(sp => new ApiServerPodSource(
                api!,
                sp.GetRequiredService<PodMetadataCache>(),
                options,
                sp.GetRequiredService<MetadataCounters>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<ApiServerPodSource>>()));
            services.AddSingleton(sp => new MetadataGate(
                sp.GetRequiredService<PodMetadataCache>(),
                options.MetadataWait,
                sp.GetRequiredService<MetadataCounters>()));
            sources.Add(sp => sp.GetRequiredService<ApiServerPodSource>().RunAsync);
        }

        if (options.NamespaceLabels.Count > 0 && api is not null)
        {
            services.AddSingleton(sp => new NamespaceLabelSource(
                api,
                sp.GetRequiredService<PodMetadataCache>(),
                options,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<NamespaceLabelSource>>()));
            sources.Add(sp => sp.GetRequiredService<NamespaceLabelSource>().RunAsync);
        }

        services.AddHostedService(sp => new MetadataService([.. sources.Select(s => s(sp))]));
    }
}
