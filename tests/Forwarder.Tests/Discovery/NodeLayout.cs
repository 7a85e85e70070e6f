using TestSupport;

namespace Forwarder.Tests.Discovery;

/// <summary>
/// A node's log tree under a temp directory, laid out as kubelet and docker do (see shared/bench/tools/mklogs.py):
/// <c>var/log/containers/&lt;pod&gt;_&lt;ns&gt;_&lt;container&gt;-&lt;id&gt;.log</c> →
/// <c>var/log/pods/&lt;ns&gt;_&lt;pod&gt;_&lt;uid&gt;/&lt;container&gt;/0.log</c> → (docker)
/// <c>var/lib/docker/containers/&lt;id&gt;/&lt;id&gt;-json.log</c>, or (CRI) the pods file itself.
/// </summary>
internal sealed class NodeLayout(TempDirectory directory)
{
    public string Root => directory.Path;

    public string Containers => Path.Combine(Root, "var/log/containers");

    public string Pods => Path.Combine(Root, "var/log/pods");

    /// <summary>The default include, rooted in this tree.</summary>
    public string DefaultInclude => Containers + "/*.log";

    public Container AddDocker(string ns, string pod, string container = "main")
    {
        string id = Id(ns, pod, container);
        string real = Path.Combine(Root, "var/lib/docker/containers", id, id + "-json.log");
        Directory.CreateDirectory(Path.GetDirectoryName(real)!);
        File.WriteAllText(real, "{\"log\":\"hello\\n\",\"stream\":\"stdout\",\"time\":\"2026-01-01T00:00:00Z\"}\n");
        string podLog = PodLog(ns, pod, container);
        File.CreateSymbolicLink(podLog, real);
        return new Container(Link(ns, pod, container, id, podLog), podLog, real);
    }

    public Container AddCri(string ns, string pod, string container = "main")
    {
        string podLog = PodLog(ns, pod, container);
        File.WriteAllText(podLog, "2026-01-01T00:00:00.000000000Z stdout F hello\n");
        return new Container(Link(ns, pod, container, Id(ns, pod, container), podLog), podLog, podLog);
    }

    private static string Id(string ns, string pod, string container) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{ns}/{pod}/{container}")));

    private string PodLog(string ns, string pod, string container)
    {
        string directory = Path.Combine(Pods, $"{ns}_{pod}_0000aaaa-bbbb-cccc-dddd-{pod.Length:D12}", container);
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, "0.log");
    }

    private string Link(string ns, string pod, string container, string id, string podLog)
    {
        Directory.CreateDirectory(Containers);
        string link = Path.Combine(Containers, $"{pod}_{ns}_{container}-{id}.log");
        File.CreateSymbolicLink(link, podLog);
        return link;
    }

    /// <summary>
    /// The three paths of one container's log: what the include matches, the kubelet file, the real file.
    /// </summary>
    public sealed record Container(string Link, string PodLog, string RealFile);
}
