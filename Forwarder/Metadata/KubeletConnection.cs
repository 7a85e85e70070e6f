using System.Net;
using System.Net.Sockets;
using Forwarder.Configuration;

namespace Forwarder.Metadata;

/// <summary>
/// Where the node's kubelet serves its pods and how to prove who we are (<c>--metadata-source kubelet</c>): the
/// switches, else <c>https://$NODE_IP:10250/pods</c> (the DaemonSet sets NODE_IP from <c>status.hostIP</c>), the
/// service account's token and its CA. <see cref="CaFile"/> is null with <see cref="InsecureTls"/> or a plain http URL.
/// </summary>
internal sealed record KubeletConnection(Uri Url, string? CaFile, bool InsecureTls, string? TokenFile)
{
    /// <summary>The kubelet's authenticated HTTPS port (<c>--port</c> of the kubelet).</summary>
    public const int Port = 10250;

    /// <summary>Null with <paramref name="error"/> when there is no URL to use.</summary>
    public static KubeletConnection? From(ForwarderOptions options, out string? error)
    {
        ArgumentNullException.ThrowIfNull(options);
        error = null;
        var url = options.KubeletUrl;
        if (url is null)
        {
            string? ip = Environment.GetEnvironmentVariable("NODE_IP");
            if (string.IsNullOrEmpty(ip) || !IPAddress.TryParse(ip, out var address))
            {
                error = $"{ForwarderOptions.Section}:MetadataSource is kubelet, but neither {ForwarderOptions.Section}:KubeletUrl (--kubelet-url) "
                    + $"nor NODE_IP (the node's IP address, fieldRef status.hostIP) is set{(string.IsNullOrEmpty(ip) ? "" : $"; NODE_IP is '{ip}'")}";
                return null;
            }

            string host = address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
            url = new Uri($"https://{host}:{Port}/pods");
        }

        bool https = url.Scheme == "https";
        string? ca = !https || options.KubeletInsecureTls
            ? null
            : options.KubeletCaFile ?? Path.Combine(KubeConnection.ServiceAccountDirectory, "ca.crt");
        string? token = options.KubeTokenFile ?? Path.Combine(KubeConnection.ServiceAccountDirectory, "token");
        if (options.KubeTokenFile is null && !File.Exists(token))
        {
            token = null;
        }

        return new KubeletConnection(url, ca, https && options.KubeletInsecureTls, token);
    }

    /// <summary>The configuration mistakes of the kubelet source and of namespace labels, one message each.</summary>
    public static IEnumerable<string> Check(ForwarderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string section = ForwarderOptions.Section;
        if (options.MetadataSource == MetadataSourceKind.Kubelet && From(options, out string? why) is null)
        {
            yield return why!;
        }

        if (options.KubeletInsecureTls && options.KubeletCaFile is not null)
        {
            yield return $"{section}:KubeletInsecureTls is true and {section}:KubeletCaFile is set: give the CA to check the kubelet's "
                + "certificate, or skip the check, not both";
        }

        if (options.NamespaceLabels.Count == 0)
        {
            yield break;
        }

        if (options.MetadataSource == MetadataSourceKind.Off)
        {
            yield return $"{section}:NamespaceLabels is set, but {section}:MetadataSource is off: namespace labels are added to a pod's "
                + "metadata, so they need --metadata-source apiserver or kubelet";
        }
        else if (KubeConnection.From(options, out _) is null)
        {
            yield return $"{section}:NamespaceLabels reads namespaces from the API server, but neither {section}:KubeUrl (--kube-url) "
                + "nor KUBERNETES_SERVICE_HOST is set";
        }
    }
}
