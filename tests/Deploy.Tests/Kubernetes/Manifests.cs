using YamlDotNet.RepresentationModel;

namespace Deploy.Tests.Kubernetes;

/// <summary>The objects in deploy/kubernetes, as written (before kustomize), found by kind and name.</summary>
internal static class Manifests
{
    public const string Directory = "deploy/kubernetes";

    public static IReadOnlyList<string> Files { get; } = System.IO.Directory.GetFiles(Repository.File(Directory), "*.yaml")
        .Where(f => Path.GetFileName(f) != "kustomization.yaml")
        .Order(StringComparer.Ordinal)
        .ToList();

    public static IReadOnlyList<YamlMappingNode> Objects { get; } = Files.SelectMany(Yaml.LoadDocuments).ToList();

    public static YamlMappingNode Kustomization { get; } = Yaml.LoadDocuments(Repository.File($"{Directory}/kustomization.yaml")).Single();

    /// <summary>The ConfigMaps kustomize generates (<c>configMapGenerator</c> with env files): name → data.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> GeneratedConfigMaps { get; } =
        Kustomization.Items("configMapGenerator").ToDictionary(
            g => g.Required("name"),
            g => (IReadOnlyDictionary<string, string>)g.Items("envs")
                .SelectMany(e => EnvFile.Load(Repository.File($"{Directory}/{((YamlScalarNode)e).Value}")))
                .ToDictionary(StringComparer.Ordinal));

    /// <summary>The data of the ConfigMap <paramref name="name"/>, generated or written as a manifest.</summary>
    public static IReadOnlyDictionary<string, string> ConfigMapData(string name) =>
        GeneratedConfigMaps.TryGetValue(name, out var data) ? data : Find("ConfigMap", name).Scalars("data");

    public static YamlMappingNode Find(string kind, string name) =>
        Objects.SingleOrDefault(o => o.Text("kind") == kind && o.Text("metadata", "name") == name)
        ?? throw new Xunit.Sdk.XunitException($"no {kind} {name} in {Directory}");

    public static Workload Forwarder => new(Find("DaemonSet", "log-forwarder"));

    public static Workload Collector => new(Find("Deployment", "log-collector"));

    /// <summary>The image a kustomize <c>images:</c> entry gives <paramref name="name"/> (name:newTag).</summary>
    public static string RenderedImage(string name)
    {
        var entry = Kustomization.Items("images").SingleOrDefault(i => i.Text("name") == name)
            ?? throw new Xunit.Sdk.XunitException($"kustomization.yaml has no images entry for {name}");
        return $"{entry.Text("newName") ?? name}:{entry.Required("newTag")}";
    }
}

/// <summary>A DaemonSet's or Deployment's one container, its environment and its volumes.</summary>
internal sealed class Workload(YamlMappingNode workload)
{
    public YamlMappingNode Object { get; } = workload;

    public string Name => Object.Required("metadata", "name");

    public YamlNode PodSpec => Object.At("spec", "template", "spec") ?? throw new Xunit.Sdk.XunitException($"{Name} has no pod spec");

    public YamlNode Container => PodSpec.Items("containers").Single();

    public string Image => Container.Required("image");

    /// <summary>
    /// The literal environment the container gets: its ConfigMaps (envFrom) overlaid by its own <c>env</c> values.
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment
    {
        get
        {
            var environment = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var source in Container.Items("envFrom"))
            {
                string configMap = source.Required("configMapRef", "name");
                foreach (var (key, value) in Manifests.ConfigMapData(configMap))
                {
                    environment[key] = value;
                }
            }

            foreach (var variable in Container.Items("env").Where(v => v.Text("value") is not null))
            {
                environment[variable.Required("name")] = variable.Required("value");
            }

            return environment;
        }
    }

    /// <summary>Variables set from elsewhere (<c>valueFrom</c>): name → the value source.</summary>
    public IReadOnlyDictionary<string, YamlNode> EnvironmentFrom =>
        Container.Items("env").Where(v => v.At("valueFrom") is not null).ToDictionary(v => v.Required("name"), v => v.At("valueFrom")!);

    /// <summary>The container port named <paramref name="name"/>.</summary>
    public YamlNode Port(string name) =>
        Container.Items("ports").SingleOrDefault(p => p.Text("name") == name) ?? throw new Xunit.Sdk.XunitException($"{Name} has no port {name}");

    public IEnumerable<YamlNode> Probes =>
        new[] { "startupProbe", "livenessProbe", "readinessProbe" }.Select(p => Container.At(p)).OfType<YamlNode>();

    /// <summary>The mount whose path is <paramref name="path"/> or the closest one above it, with its volume.</summary>
    public (YamlNode Mount, YamlNode Volume)? MountHolding(string path)
    {
        var mount = Container.Items("volumeMounts")
            .Where(m => IsUnder(path, m.Required("mountPath")))
            .MaxBy(m => m.Required("mountPath").Length);
        if (mount is null)
        {
            return null;
        }

        var volume = PodSpec.Items("volumes").Single(v => v.Text("name") == mount.Text("name"));
        return (mount, volume);
    }

    public static bool IsUnder(string path, string directory) =>
        path == directory || path.StartsWith(directory.TrimEnd('/') + "/", StringComparison.Ordinal);
}
