using System.Net;

namespace Collector.Configuration;

/// <summary>
/// Names the setting behind a listener that cannot be bound, as a bad value is named. Kestrel alone reports a taken
/// port as "Failed to bind to address http://127.0.0.1:5514" for the TCP syslog listener as well as for HTTP, and a
/// UDP socket says only "Address already in use": either way the operator is left guessing which switch to change.
/// </summary>
public static class StartFailure
{
    public static string CannotBind(string key, EndPoint endpoint, string reason) =>
        $"{CollectorOptions.Section}:{key} cannot be bound, was '{endpoint}': {reason}";

    /// <summary>The message to show for an exception that stopped the start.</summary>
    public static string Describe(Exception ex, CollectorOptions options)
    {
        // Kestrel's message holds the endpoint as a URL; port 0 cannot clash, and two equal Kestrel endpoints are
        // rejected earlier.
        foreach ((string key, var endpoint) in new[]
        {
            ("Tcp", options.Tcp), ("Relp", options.Relp), ("Http", options.Http), ("Tls", options.Tls), ("RelpTls", options.RelpTls),
            ("Https", options.Https),
        })
        {
            if (endpoint is { Port: > 0 } && ex.Message.Contains($"://{endpoint}:", StringComparison.Ordinal))
            {
                return CannotBind(key, endpoint, ex.GetBaseException().Message);
            }
        }

        return ex.Message;
    }
}
