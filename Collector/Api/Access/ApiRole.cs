namespace Collector.Api.Access;

/// <summary>
/// What a route needs: <see cref="Read"/> (search, tail, labels, sources, download, the relay list) takes the read
/// token or the admin token; <see cref="Admin"/> (changing relays) only the admin token.
/// </summary>
public enum ApiRole
{
    Read,
    Admin,
}
