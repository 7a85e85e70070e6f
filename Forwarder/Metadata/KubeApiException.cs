using System.Net;

namespace Forwarder.Metadata;

/// <summary>
/// A request to the API server failed: <see cref="Status"/> is the HTTP status (401, 403, 410, …) or null when no
/// answer came (refused, TLS, dropped).
/// </summary>
internal sealed class KubeApiException : Exception
{
    public KubeApiException(string message)
        : base(message)
    {
    }

    public KubeApiException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public KubeApiException(HttpStatusCode? status, string message, Exception? inner = null)
        : base(message, inner)
    {
        Status = status;
    }

    public HttpStatusCode? Status { get; }

    public bool IsGone => Status == HttpStatusCode.Gone;
}
