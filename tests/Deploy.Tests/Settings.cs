using Collector.Configuration;
using Forwarder.Configuration;
using Microsoft.Extensions.Configuration;

namespace Deploy.Tests;

/// <summary>
/// Environment variables as the programs read them (<c>Section__Key__0</c> → <c>Section:Key:0</c>), checked by the
/// programs' own options readers, and the keys the programs know (their declared settings).
/// </summary>
internal static class Settings
{
    public static IReadOnlySet<string> ForwarderKeys { get; } = ForwarderSettings.All.Select(s => s.Key).ToHashSet(StringComparer.Ordinal);

    public static IReadOnlySet<string> CollectorKeys { get; } = CollectorSettings.All.Select(s => s.Key).ToHashSet(StringComparer.Ordinal);

    public static Dictionary<string, string?> AsConfiguration(IReadOnlyDictionary<string, string> environment, string section) =>
        environment.Where(e => e.Key.StartsWith(section + "__", StringComparison.Ordinal))
            .ToDictionary(e => e.Key.Replace("__", ":", StringComparison.Ordinal), e => (string?)e.Value);

    /// <summary>Keys under <paramref name="section"/> that the program does not know (list indexes allowed).</summary>
    public static IEnumerable<string> UnknownKeys(IReadOnlyDictionary<string, string> environment, string section, IReadOnlySet<string> known) =>
        environment.Keys
            .Where(k => k.StartsWith(section + "__", StringComparison.Ordinal))
            .Where(k => !known.Contains(k.Split("__")[1])
                || k.Split("__").Length > 3
                || (k.Split("__").Length == 3 && !int.TryParse(k.Split("__")[2], out _)));

    public static ForwarderOptions ReadForwarder(IReadOnlyDictionary<string, string> environment)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(AsConfiguration(environment, ForwarderOptions.Section)).Build();
        var options = ForwarderOptionsReader.Read(configuration, out var errors);
        Assert.True(errors.Count == 0, string.Join("; ", errors));
        return options;
    }

    public static CollectorOptions ReadCollector(IReadOnlyDictionary<string, string> environment)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(AsConfiguration(environment, CollectorOptions.Section)).Build();
        var options = CollectorOptionsReader.Read(configuration, out var errors);
        Assert.True(errors.Count == 0, string.Join("; ", errors));
        return options;
    }
}
