using System.Globalization;
using Shared.Configuration;
using Shared.Transport;

namespace Forwarder.Configuration;

/// <summary>
/// Reads <see cref="ForwarderOptions"/> from the <c>Forwarder</c> section, setting by setting as
/// <see cref="ForwarderSettings"/> declares them, and checks every value, collecting one message per bad key in the
/// form <c>Forwarder:Targets:0 must be …, was 'x'</c>, so an operator sees all mistakes at once.
/// </summary>
public static class ForwarderOptionsReader
{
    public static ForwarderOptions Read(IConfiguration configuration, out List<string> errors)
    {
        var section = configuration.GetSection(ForwarderOptions.Section);
        var reader = new SettingsReader(ForwarderOptions.Section, key => section[key], key => Items(section.GetSection(key)));
        var found = reader.Errors;
        errors = found;
        var options = new ForwarderOptions();
        foreach (var setting in ForwarderSettings.All)
        {
            options = setting.Read(reader, options);
        }

        // An empty list is worth its own message only when no item of it was reported already.
        if (options.Include.Count == 0 && !found.Exists(e => e.StartsWith(reader.Key("Include"), StringComparison.Ordinal)))
        {
            found.Add($"{reader.Key("Include")} is empty: nothing would be tailed");
        }

        if (options.Targets.Count == 0 && !found.Exists(e => e.StartsWith(reader.Key("Targets"), StringComparison.Ordinal)))
        {
            found.Add($"{reader.Key("Targets")} is empty: nothing would be shipped");
        }

        CheckTls(options, reader, found);
        if (options.MetadataSource == MetadataSourceKind.ApiServer && Metadata.KubeConnection.From(options, out string? why) is null)
        {
            found.Add(why!);
        }

        found.AddRange(Metadata.KubeletConnection.Check(options));

        return options;
    }

    /// <summary>
    /// TLS files are loaded now, as the senders will load them, so a missing file or a key that does not match stops
    /// startup with its key; TLS settings without a TLS target are an error too, as they would send in the clear.
    /// </summary>
    private static void CheckTls(ForwarderOptions options, SettingsReader reader, List<string> found)
    {
        var set = new[]
            {
                ("TlsCa", options.TlsCa), ("TlsCert", options.TlsCert), ("TlsKey", options.TlsKey), ("TlsServerName", options.TlsServerName),
            }
            .Where(s => s.Item2 is not null)
            .Select(s => reader.Key(s.Item1))
            .ToList();
        if (!options.Targets.Any(t => t.Tls))
        {
            if (set.Count > 0)
            {
                found.Add($"{string.Join(", ", set)} set, but no target uses TLS (tls://HOST:PORT or relp+tls://HOST:PORT)");
            }

            return;
        }

        var keys = new SyslogTlsKeyNames(reader.Key("TlsCa"), reader.Key("TlsCert"), reader.Key("TlsKey"), reader.Key("TlsServerName"));
        found.AddRange(SyslogSenderOptionsValidator.ValidateTls(options.ClientTls(), keys));
    }

    /// <summary>
    /// A list's items in index order (<c>Include:0</c>, <c>Include:1</c>, …; <c>Include:10</c> after <c>Include:9</c>).
    /// </summary>
    private static List<(string Path, string Text)> Items(IConfigurationSection list) =>
        [.. list.GetChildren()
            .OrderBy(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out int i) ? i : int.MaxValue)
            .Where(c => c.Value is not null)
            .Select(c => ($"{list.Key}:{c.Key}", c.Value!))];
}
