using System.Buffers;

namespace Forwarder.Enrichment;

/// <summary>
/// Reads pod identity from the paths the kubelet and the runtimes lay out on a node:
/// <c>/var/log/containers/&lt;pod&gt;_&lt;namespace&gt;_&lt;container&gt;-&lt;64 hex id&gt;.log</c> (a symlink) →
/// <c>/var/log/pods/&lt;namespace&gt;_&lt;pod&gt;_&lt;uid&gt;/&lt;container&gt;/&lt;n&gt;.log</c> → (docker only)
/// <c>/var/lib/docker/containers/&lt;id&gt;/&lt;id&gt;-json.log</c>. Pod names and namespaces are DNS names without
/// '_'; container names are DNS labels, which may hold '-'.
/// </summary>
public static class KubernetesPath
{
    private const string ContainersDirectory = "/var/log/containers/";
    private const string PodsDirectory = "/var/log/pods/";
    private const string DockerDirectory = "/var/lib/docker/containers/";
    private const int ContainerIdLength = 64;

    private static readonly SearchValues<char> LowerHexDigits = SearchValues.Create("0123456789abcdef");

    /// <summary>
    /// Merges what each path of <paramref name="chain"/> says (the path that matched the include glob, then each
    /// symlink hop's target, ending at the real file; all absolute, with any prefix before <c>/var</c>). The first path
    /// to name a field wins. Null unless namespace, pod and container are all known.
    /// </summary>
    public static PodIdentity? FromPaths(IReadOnlyList<string> chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        string? ns = null, pod = null, container = null, containerId = null, podUid = null;
        foreach (string path in chain)
        {
            if (TryContainersLink(path, out var link))
            {
                ns ??= link.Namespace;
                pod ??= link.Pod;
                container ??= link.Container;
                containerId ??= link.ContainerId;
            }
            else if (TryPodsFile(path, out var file))
            {
                ns ??= file.Namespace;
                pod ??= file.Pod;
                container ??= file.Container;
                podUid ??= file.PodUid;
            }
            else if (TryDockerFile(path, out string? id))
            {
                containerId ??= id;
            }
        }

        return ns is null || pod is null || container is null ? null : new PodIdentity(ns, pod, container, containerId, podUid);
    }

    /// <summary><c>…/var/log/containers/&lt;pod&gt;_&lt;namespace&gt;_&lt;container&gt;-&lt;id&gt;.log</c></summary>
    private static bool TryContainersLink(string path, out PodIdentity identity)
    {
        identity = null!;
        if (!TryFileIn(path, ContainersDirectory, out var name) || !name.EndsWith(".log", StringComparison.Ordinal))
        {
            return false;
        }

        name = name[..^4];
        int first = name.IndexOf('_');
        int second = first < 0 ? -1 : name[(first + 1)..].IndexOf('_') + first + 1;
        if (first <= 0 || second <= first + 1)
        {
            return false;
        }

        var rest = name[(second + 1)..];
        int dash = rest.Length - ContainerIdLength - 1;
        if (dash <= 0 || rest[dash] != '-' || !IsContainerId(rest[(dash + 1)..]) || rest[..dash].Contains('_'))
        {
            return false;
        }

        identity = new PodIdentity(
            name[(first + 1)..second].ToString(),
            name[..first].ToString(),
            rest[..dash].ToString(),
            rest[(dash + 1)..].ToString(),
            null);
        return true;
    }

    /// <summary>
    /// <c>…/var/log/pods/&lt;namespace&gt;_&lt;pod&gt;_&lt;uid&gt;/&lt;container&gt;/&lt;n&gt;.log
    /// [.&lt;rotation time&gt;]</c>
    /// </summary>
    private static bool TryPodsFile(string path, out PodIdentity identity)
    {
        identity = null!;
        if (!TryFileIn(path, PodsDirectory, out var rest, allowSubdirectories: true))
        {
            return false;
        }

        int slash = rest.IndexOf('/');
        if (slash <= 0)
        {
            return false;
        }

        var podDirectory = rest[..slash];
        rest = rest[(slash + 1)..];
        slash = rest.IndexOf('/');
        if (slash <= 0 || rest[(slash + 1)..].Contains('/') || !IsLogFileName(rest[(slash + 1)..]))
        {
            return false;
        }

        var container = rest[..slash];
        var parts = podDirectory.ToString().Split('_');
        if (parts.Length != 3 || parts.Any(string.IsNullOrEmpty))
        {
            return false;
        }

        identity = new PodIdentity(parts[0], parts[1], container.ToString(), null, parts[2]);
        return true;
    }

    /// <summary>
    /// <c>…/var/lib/docker/containers/&lt;id&gt;/&lt;id&gt;-json.log</c> (also rotated <c>-json.log.1</c>).
    /// </summary>
    private static bool TryDockerFile(string path, out string? containerId)
    {
        containerId = null;
        if (!TryFileIn(path, DockerDirectory, out var rest, allowSubdirectories: true) || rest.Length < ContainerIdLength + 1)
        {
            return false;
        }

        var id = rest[..ContainerIdLength];
        if (rest[ContainerIdLength] != '/' || !IsContainerId(id) || !rest[(ContainerIdLength + 1)..].StartsWith(id, StringComparison.Ordinal))
        {
            return false;
        }

        containerId = id.ToString();
        return true;
    }

    /// <summary>The part of <paramref name="path"/> after the last <paramref name="directory"/> in it.</summary>
    private static bool TryFileIn(string path, string directory, out ReadOnlySpan<char> rest, bool allowSubdirectories = false)
    {
        int at = path.LastIndexOf(directory, StringComparison.Ordinal);
        rest = at < 0 ? default : path.AsSpan(at + directory.Length);
        return at >= 0 && !rest.IsEmpty && (allowSubdirectories || !rest.Contains('/'));
    }

    /// <summary><c>0.log</c>, and the kubelet's rotated <c>0.log.20260101-000000</c>.</summary>
    private static bool IsLogFileName(ReadOnlySpan<char> name)
    {
        int dot = name.IndexOf('.');
        if (dot <= 0 || !IsDigits(name[..dot]))
        {
            return false;
        }

        var suffix = name[dot..];
        return suffix.SequenceEqual(".log") || (suffix.StartsWith(".log.", StringComparison.Ordinal) && suffix.Length > 5);
    }

    private static bool IsDigits(ReadOnlySpan<char> text) => !text.IsEmpty && !text.ContainsAnyExceptInRange('0', '9');

    private static bool IsContainerId(ReadOnlySpan<char> text) =>
        text.Length == ContainerIdLength && !text.ContainsAnyExcept(LowerHexDigits);
}
