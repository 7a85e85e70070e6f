using System.Globalization;
using Shared.Configuration;

namespace Collector.Configuration;

/// <summary>
/// Reads <see cref="CollectorOptions"/> from the <c>Collector</c> section, setting by setting as
/// <see cref="CollectorSettings"/> declares them, and checks every value, collecting one message per bad key in the
/// form <c>Collector:MaxFiles must be …, was 'x'</c>, so an operator sees all mistakes at once.
/// </summary>
public static class CollectorOptionsReader
{
    public static CollectorOptions Read(IConfiguration configuration, out List<string> errors)
    {
        var section = configuration.GetSection(CollectorOptions.Section);
        var reader = new SettingsReader(CollectorOptions.Section, key => section[key], key => Items(section.GetSection(key)));
        var found = reader.Errors;
        errors = found;
        var options = new CollectorOptions();
        foreach (var setting in CollectorSettings.All)
        {
            options = setting.Read(reader, options);
        }

        options = ReadTokens(options, found);
        TlsOptionsRules.Check(options, found);

        if (options.Tcp is null && options.Udp is null && options.Relp is null && !options.AnyTls())
        {
            found.Add($"{CollectorOptions.Section}:Tcp, {CollectorOptions.Section}:Udp and " +
                $"{CollectorOptions.Section}:Relp are all empty: nothing would be received");
        }

        // Kestrel serves TCP, RELP, TLS, HTTP and HTTPS: no two may ask for the same address and port.
        (string Key, System.Net.IPEndPoint? EndPoint)[] kestrel =
        [
            ("Tcp", options.Tcp), ("Relp", options.Relp), ("Http", options.Http), ("Tls", options.Tls), ("RelpTls", options.RelpTls),
            ("Https", options.Https),
        ];
        for (int i = 1; i < kestrel.Length; i++)
        {
            for (int j = 0; j < i; j++)
            {
                if (kestrel[i].EndPoint is { Port: not 0 } a && a.Equals(kestrel[j].EndPoint))
                {
                    found.Add($"{CollectorOptions.Section}:{kestrel[i].Key} must differ from {CollectorOptions.Section}:{kestrel[j].Key}, was '{a}'");
                }
            }
        }

        return options;
    }

    private static List<(string Path, string Text)> Items(IConfigurationSection list) =>
        [.. list.GetChildren()
            .OrderBy(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out int i) ? i : int.MaxValue)
            .Where(c => c.Value is not null)
            .Select(c => ($"{list.Key}:{c.Key}", c.Value!))];

    /// <summary>
    /// Each token comes from the environment (<c>Collector__ApiToken</c>, <c>Collector__AdminToken</c>) or a file, not
    /// both; never from a switch (ps shows those). The two must differ, or the roles would mean nothing.
    /// </summary>
    private static CollectorOptions ReadTokens(CollectorOptions options, List<string> errors)
    {
        options = options with { ApiToken = ReadToken("ApiToken", options.ApiToken, options.ApiTokenFile, errors) };
        options = options with { AdminToken = ReadToken("AdminToken", options.AdminToken, options.AdminTokenFile, errors) };
        if (options.ApiToken is { } read && read == options.AdminToken)
        {
            errors.Add($"{CollectorOptions.Section}:AdminToken must differ from {CollectorOptions.Section}:ApiToken (the read token)");
        }

        return options;
    }

    private static string? ReadToken(string key, string? token, string? file, List<string> errors)
    {
        if (file is null)
        {
            return token;
        }

        if (token is not null)
        {
            errors.Add($"{CollectorOptions.Section}:{key} and {CollectorOptions.Section}:{key}File are both set: use one");
            return token;
        }

        try
        {
            string text = File.ReadAllText(file).Trim();
            if (text.Length > 0)
            {
                return text;
            }

            errors.Add($"{CollectorOptions.Section}:{key}File must be a file holding the token, was '{file}' (empty)");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add($"{CollectorOptions.Section}:{key}File must be a readable file holding the token, was '{file}' ({ex.Message})");
        }

        return null;
    }
}
