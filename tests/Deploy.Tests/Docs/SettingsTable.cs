using Shared.Configuration;

namespace Deploy.Tests.Docs;

/// <summary>
/// A docs page's settings table (<c>| switch | key | default | meaning |</c>) read back and compared with a
/// declaration. The meaning column is the docs' own (it may say more than <c>--help</c>); switch, key and default must
/// be the declared ones.
/// </summary>
internal static class SettingsTable
{
    public const string Header = "| switch | key | default | meaning |";

    private const string NoSwitch = "(no switch: `ps` shows switches)";

    /// <summary>The first three columns of each declared row, as the docs write them.</summary>
    public static string Render<TOptions>(IReadOnlyList<Setting<TOptions>> settings) =>
        Header + "\n|---|---|---|---|\n" + string.Concat(settings.Select(s => $"| {SwitchCell(s)} | `{s.Key}` | {DefaultCell(s)} | … |\n"));

    public static List<string> Compare<TOptions>(string markdown, IReadOnlyList<Setting<TOptions>> settings)
    {
        var rows = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var problems = new List<string>();
        // The rows between the table's header and the first line that is not a table row.
        var lines = markdown.Split('\n').SkipWhile(l => !l.StartsWith(Header, StringComparison.Ordinal)).Skip(2).TakeWhile(l => l.StartsWith('|'));
        foreach (string line in lines)
        {
            string[] cells = line.Split(" | ");
            if (cells.Length < 4 || !cells[1].StartsWith('`') || !cells[1].EndsWith('`'))
            {
                problems.Add($"a row without a `Key` in its second column: {line}");
                continue;
            }

            string key = cells[1].Trim('`');
            if (!rows.TryAdd(key, cells))
            {
                problems.Add($"{key}: two rows in the docs");
            }
        }

        foreach (var s in settings)
        {
            if (!rows.Remove(s.Key, out var cells))
            {
                problems.Add($"{s.Key}: declared, no row in the docs (add: | {SwitchCell(s)} | `{s.Key}` | {DefaultCell(s)} | … |)");
                continue;
            }

            if (cells[0].TrimStart('|', ' ') != SwitchCell(s))
            {
                problems.Add($"{s.Key}: the docs say switch '{cells[0].TrimStart('|', ' ')}', the declaration '{SwitchCell(s)}'");
            }

            string documented = cells[2].Replace("`", "", StringComparison.Ordinal);
            if (documented != (s.Default ?? "none"))
            {
                problems.Add($"{s.Key}: the docs say default '{documented}', the declaration '{s.Default ?? "none"}'");
            }
        }

        problems.AddRange(rows.Keys.Select(k => $"{k}: in the docs, not declared"));
        return problems;
    }

    private static string SwitchCell<TOptions>(Setting<TOptions> s) => s.Switch is null
        ? NoSwitch
        : $"`{s.Switch} {s.Value.Replace("|", "\\|", StringComparison.Ordinal)}`{(s.Repeatable ? " (repeatable)" : "")}";

    // A default that is a value is code (`9`); one that is described is prose, its first word code when it is a name.
    private static string DefaultCell<TOptions>(Setting<TOptions> s) =>
        s.Default is null ? "none" : s.DefaultIsDescribed ? s.Default : $"`{s.Default}`";
}
