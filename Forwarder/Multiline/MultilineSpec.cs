using System.Text.RegularExpressions;

namespace Forwarder.Multiline;

/// <summary>
/// One value of <c>--multiline</c> or of a <c>--multiline-rule</c>: <c>off</c>, <c>auto</c> (every preset), presets
/// (<c>java,python</c>), <c>start:REGEX</c> or <c>continuation:REGEX</c>. Prints as written.
/// </summary>
public sealed class MultilineSpec
{
    public const string Rule =
        "auto, off, presets separated by commas (java, python, go, node, dotnet, ruby), start:REGEX or continuation:REGEX";

    private static readonly (string Name, MultilinePresets Preset)[] Names =
    [
        ("java", MultilinePresets.Java),
        ("python", MultilinePresets.Python),
        ("go", MultilinePresets.Go),
        ("node", MultilinePresets.Node),
        ("dotnet", MultilinePresets.DotNet),
        ("ruby", MultilinePresets.Ruby),
    ];

    private MultilineSpec(string text, MultilinePresets presets, Regex? pattern, bool matchesStart)
    {
        Text = text;
        Presets = presets;
        Pattern = pattern;
        MatchesStart = matchesStart;
    }

    public static MultilineSpec Auto { get; } = new("auto", MultilinePresets.All, null, false);

    public static MultilineSpec Off { get; } = new("off", MultilinePresets.None, null, false);

    public string Text { get; }

    public MultilinePresets Presets { get; }

    /// <summary>The user's expression, or null for presets.</summary>
    public Regex? Pattern { get; }

    /// <summary>
    /// For <see cref="Pattern"/>: true when it matches first lines, false when it matches continuations.
    /// </summary>
    public bool MatchesStart { get; }

    public bool IsOff => Presets == MultilinePresets.None && Pattern is null;

    /// <summary>The rule to join with, or null for <c>off</c>.</summary>
    public MultilineRule? CreateRule() =>
        Pattern is not null ? new RegexRule(Pattern, MatchesStart) : IsOff ? null : new PresetRule(Presets);

    public static bool TryParse(string text, out MultilineSpec spec, out string? why)
    {
        spec = Off;
        why = null;
        string value = text.Trim();
        foreach (var (prefix, start) in new[] { ("start:", true), ("continuation:", false) })
        {
            if (value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return TryParsePattern(value, value[prefix.Length..], start, out spec, out why);
            }
        }

        if (value.Equals("off", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (value.Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            spec = Auto;
            return true;
        }

        var presets = MultilinePresets.None;
        foreach (string item in value.Split(',', StringSplitOptions.TrimEntries))
        {
            int index = Array.FindIndex(Names, n => n.Name.Equals(item, StringComparison.OrdinalIgnoreCase));
            if (index < 0)
            {
                why = item.Length == 0
                    ? $"must be {Rule}"
                    : $"names an unknown preset '{item}' (known: {string.Join(", ", Names.Select(n => n.Name))}; "
                        + "or auto, off, start:REGEX, continuation:REGEX)";
                return false;
            }

            presets |= Names[index].Preset;
        }

        spec = new MultilineSpec(value, presets, null, false);
        return true;
    }

    public override string ToString() => Text;

    private static bool TryParsePattern(string text, string pattern, bool start, out MultilineSpec spec, out string? why)
    {
        spec = Off;
        why = null;
        if (pattern.Length == 0)
        {
            why = "has an empty regular expression";
            return false;
        }

        try
        {
            // Interpreted, not compiled: the native build cannot compile expressions at run time, and one match per
            // line of the few containers with a user rule does not need it.
            var regex = new Regex(pattern, RegexOptions.CultureInvariant, RegexRule.MatchTimeout);
            spec = new MultilineSpec(text, MultilinePresets.None, regex, start);
            return true;
        }
        catch (ArgumentException e)
        {
            why = $"has a bad regular expression ({e.Message})";
            return false;
        }
    }
}
