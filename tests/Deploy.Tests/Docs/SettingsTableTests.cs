using Collector.Configuration;
using Forwarder.Configuration;
using Shared.Configuration;

namespace Deploy.Tests.Docs;

/// <summary>
/// The "Configuration" tables of docs/collector.md and docs/forwarder.md say what the programs' setting declarations
/// (<see cref="CollectorSettings"/>, <see cref="ForwarderSettings"/>) say: one row per setting, with its switch, key
/// and default, and no row for a setting that does not exist.
/// </summary>
public sealed class SettingsTableTests
{
    [Fact]
    public void TheCollectorTableHasOneRowPerSettingWithItsSwitchAndDefault() =>
        AssertTableMatches("docs/collector.md", CollectorSettings.All);

    [Fact]
    public void TheForwarderTableHasOneRowPerSettingWithItsSwitchAndDefault() =>
        AssertTableMatches("docs/forwarder.md", ForwarderSettings.All);

    [Fact]
    public void ARowWithADifferentDefaultIsFound()
    {
        // The check itself: a table that says 8 files where the declaration says 9 must fail.
        string table = SettingsTable.Render(CollectorSettings.All).Replace("| `MaxFiles` | `9` |", "| `MaxFiles` | `8` |", StringComparison.Ordinal);
        var problems = SettingsTable.Compare(table, CollectorSettings.All);
        Assert.Equal(["MaxFiles: the docs say default '8', the declaration '9'"], problems);
    }

    [Fact]
    public void ARowForAnUndeclaredSettingIsFound()
    {
        string table = SettingsTable.Render(CollectorSettings.All) + "| `--colour NAME` | `Colour` | `red` | paint |\n";
        var problems = SettingsTable.Compare(table, CollectorSettings.All);
        Assert.Equal(["Colour: in the docs, not declared"], problems);
    }

    private static void AssertTableMatches<TOptions>(string page, IReadOnlyList<Setting<TOptions>> settings)
    {
        var problems = SettingsTable.Compare(Repository.ReadText(page), settings);
        Assert.True(
            problems.Count == 0,
            $"{page} disagrees with the declaration; rows as declared:\n{SettingsTable.Render(settings)}\n" +
                string.Join('\n', problems));
    }
}
