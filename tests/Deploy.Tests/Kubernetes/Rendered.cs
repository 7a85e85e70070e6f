using TestSupport;
using YamlDotNet.RepresentationModel;

namespace Deploy.Tests.Kubernetes;

/// <summary>
/// deploy/kubernetes with some of its components, rendered by kubectl from an overlay next to a copy of the manifests
/// (as a user's clone holds them), and read back: a workload's container, its mounts and its generated environment.
/// </summary>
internal sealed class Rendered(IReadOnlyList<YamlMappingNode> objects)
{
    public IReadOnlyList<YamlMappingNode> Objects { get; } = objects;

    public static async Task<Rendered> WithComponentsAsync(params string[] components)
    {
        using var directory = TempDirectory.Create();
        KustomizeTests.CopyDirectory(Repository.File(Manifests.Directory), directory.Combine(Manifests.Directory));
        string overlay = directory.Combine("deploy", "overlay");
        Directory.CreateDirectory(overlay);
        File.WriteAllText(
            Path.Combine(overlay, "kustomization.yaml"),
            "namespace: kube-syslog\nresources:\n  - ../kubernetes\ncomponents:\n"
                + string.Concat(components.Select(c => $"  - ../kubernetes/components/{c}\n")));
        return new Rendered(await Kubectl.KustomizeAsync(overlay));
    }

    public YamlMappingNode Single(string kind, string name) => Objects.Single(kind, name);

    public YamlNode Container(string kind, string name) =>
        Single(kind, name).At("spec", "template", "spec")!.Items("containers").Single();

    /// <summary>The container's environment from its (generated) ConfigMap.</summary>
    public IReadOnlyDictionary<string, string> Environment(string kind, string name) =>
        Single("ConfigMap", Container(kind, name).Items("envFrom").Single().Required("configMapRef", "name")).Scalars("data");

    /// <summary>The Secret mounted at or above <paramref name="path"/> and the file name under its mount.</summary>
    public (string Secret, string Key) SecretFileAt(string kind, string name, string path)
    {
        var (volume, key) = VolumeFileAt(kind, name, path);
        string secret = volume.Text("secret", "secretName") ?? throw new Xunit.Sdk.XunitException($"{path} is not on a Secret volume");
        return (secret, key);
    }

    /// <summary>The volume mounted read-only at or above <paramref name="path"/>, and the file under it.</summary>
    public (YamlNode Volume, string Key) VolumeFileAt(string kind, string name, string path)
    {
        var mount = Container(kind, name).Items("volumeMounts")
            .Where(m => Workload.IsUnder(path, m.Required("mountPath")))
            .MaxBy(m => m.Required("mountPath").Length) ?? throw new Xunit.Sdk.XunitException($"nothing mounted at {path} in {name}");
        Assert.Equal("true", mount.Text("readOnly"));
        var volume = Single(kind, name).At("spec", "template", "spec")!.Items("volumes").Single(v => v.Text("name") == mount.Text("name"));
        return (volume, Path.GetRelativePath(mount.Required("mountPath"), path));
    }
}
