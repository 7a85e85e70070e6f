namespace Shared.Configuration;

/// <summary>
/// One setting of a program, declared once: its configuration key, its switch, its default as the docs and
/// <c>--help</c> show it, its help text and how it is read into <typeparamref name="TOptions"/>. The options reader,
/// the switches, <c>--help</c> and the tests of the docs tables and the manifests all come from one list of these.
/// </summary>
/// <param name="Key">The key under the program's section: <c>MaxFiles</c> is <c>Collector:MaxFiles</c>,
/// <c>Collector__MaxFiles</c>.</param>
/// <param name="Switch">The switch (<c>--max-files</c>), or null for a setting the command line must not carry.</param>
/// <param name="Value">The placeholder of the switch's value in <c>--help</c>: <c>N</c>, <c>SIZE</c>,
/// <c>HOST:PORT</c>.</param>
/// <param name="Default">The default as written in <c>--help</c> and the docs table; null: none.</param>
/// <param name="Help">One line for <c>--help</c>, without the default (it is appended).</param>
/// <param name="Read">Reads this setting's key into the options, keeping the value it has when the key is
/// missing.</param>
/// <param name="Current">This setting's value in the options, so tests can check <paramref name="Default"/> against the
/// options type.</param>
public sealed record Setting<TOptions>(
    string Key,
    string? Switch,
    string Value,
    string? Default,
    string Help,
    Func<SettingsReader, TOptions, TOptions> Read,
    Func<TOptions, object?> Current)
{
    /// <summary>A list: <c>Key:0</c>, <c>Key:1</c>, … and a switch that may be given again.</summary>
    public bool Repeatable { get; init; }

    /// <summary>
    /// The default is described (<c>$NODE_NAME, else the host name</c>), not a value the setting would take.
    /// </summary>
    public bool DefaultIsDescribed { get; init; }

    /// <summary>The help line as <c>--help</c> shows it: the help text, then the default.</summary>
    public string HelpLine => $"{Help} ({(Repeatable ? "repeatable; " : "")}default {Default ?? "none"})";
}
