using System.Net.Http.Headers;
using k8s.Authentication;

namespace Forwarder.Metadata;

/// <summary>
/// The bearer token from a file, read again whenever the file changes (size or modification time): projected
/// service-account tokens are rotated by the kubelet (an atomic symlink swap), and the client library's
/// <c>TokenFileAuth</c> would only notice after its fixed minute. Missing or unreadable: the request fails with the
/// file's path in the message.
/// </summary>
internal sealed class ChangingTokenFile(string path) : ITokenProvider
{
    private readonly Lock _lock = new();
    private (DateTime Modified, long Length) _version;
    private string? _token;

    public string Path { get; } = path;

    public Task<AuthenticationHeaderValue> GetAuthenticationHeaderAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new AuthenticationHeaderValue("Bearer", Current()));

    private string Current()
    {
        var info = new FileInfo(Path);
        try
        {
            if (!info.Exists)
            {
                throw new IOException($"the token file '{Path}' does not exist");
            }

            var version = (info.LastWriteTimeUtc, info.Length);
            lock (_lock)
            {
                if (_token is null || version != _version)
                {
                    _token = File.ReadAllText(Path).Trim();
                    _version = version;
                }

                return _token;
            }
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException($"the token file '{Path}' cannot be read: {e.Message}", e);
        }
    }
}
