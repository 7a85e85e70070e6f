using Forwarder.Configuration;

namespace Forwarder.Metadata;

/// <summary>
/// Where the API server is and how to prove who we are: the switches, else the in-cluster values (the
/// KUBERNETES_SERVICE_HOST/_PORT environment and the service account's token and CA at their standard paths), as
/// client-go's <c>rest.InClusterConfig</c> reads them.
/// </summary>
internal sealed record KubeConnection(Uri Url, string? CaFile, string? TokenFile, string Node)
{
    public const string ServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>Null with <paramref name="error"/> when there is no URL to use.</summary>
    public static KubeConnection? From(ForwarderOptions options, out string? error)
    {
        ArgumentNullException.ThrowIfNull(options);
        error = null;
        var url = options.KubeUrl;
        if (url is null)
        {
            string? host = Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST");
            string port = Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_PORT") is { Length: > 0 } p ? p : "443";
            if (string.IsNullOrEmpty(host) || !int.TryParse(port, out int number))
            {
                error = $"{ForwarderOptions.Section}:MetadataSource is apiserver, but neither {ForwarderOptions.Section}:KubeUrl (--kube-url) "
                    + "nor KUBERNETES_SERVICE_HOST is set";
                return null;
            }

            url = new UriBuilder("https", host, number).Uri;
        }

        string? ca = options.KubeCaFile ?? (url.Scheme == "https" ? Path.Combine(ServiceAccountDirectory, "ca.crt") : null);
        string? token = options.KubeTokenFile ?? Path.Combine(ServiceAccountDirectory, "token");
        if (options.KubeTokenFile is null && !File.Exists(token))
        {
            // Outside a pod (a developer's --kube-url to a kubectl proxy) there may be no token at all.
            token = null;
        }

        return new KubeConnection(url, ca, token, options.KubeNodeName ?? options.Node);
    }
}
