using System.Globalization;
using System.Text;

namespace Shared.Configuration;

/// <summary>Turns <c>--name value</c> and <c>--name=value</c> switches into <c>Section:Key</c> configuration entries.</summary>
public static class CommandLineParser
{
    /// <summary>Parses every argument, or explains the first bad one. <c>-h</c>, <c>--help</c> and <c>-?</c> set <paramref name="help"/>.</summary>
    public static bool TryParse(
        IReadOnlyList<string> args,
        string section,
        IReadOnlyList<CommandLineSwitch> switches,
        out Dictionary<string, string?> values,
        out bool help,
        out string? error)
    {
        values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var repeats = new Dictionary<string, int>(StringComparer.Ordinal);
        help = false;
        error = null;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg is "-h" or "--help" or "-?")
            {
                help = true;
                continue;
            }

            string name = arg;
            string? value = null;
            int eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                name = arg[..eq];
                value = arg[(eq + 1)..];
            }

            var known = switches.FirstOrDefault(s => s.Name.Equals(name, StringComparison.Ordinal));
            if (known is null)
            {
                error = $"unknown argument '{arg}' (see --help)";
                return false;
            }

            if (value is null)
            {
                if (i + 1 >= args.Count)
                {
                    error = $"{name} needs a value: {name} {known.Value}";
                    return false;
                }

                value = args[++i];
            }

            if (known.Repeatable)
            {
                int index = repeats.GetValueOrDefault(known.Key);
                repeats[known.Key] = index + 1;
                values[string.Create(CultureInfo.InvariantCulture, $"{section}:{known.Key}:{index}")] = value;
            }
            else
            {
                values[$"{section}:{known.Key}"] = value;
            }
        }

        return true;
    }

    /// <summary>One line per switch: name and value placeholder in a column as wide as the longest, then the help text.</summary>
    public static void AppendSwitches(StringBuilder text, IReadOnlyList<CommandLineSwitch> switches)
    {
        int width = Math.Max(30, switches.Max(s => s.Name.Length + 1 + s.Value.Length) + 2);
        foreach (var s in switches)
        {
            text.Append("  ").Append($"{s.Name} {s.Value}".PadRight(width)).AppendLine(s.Help);
        }

        text.Append("  ").Append("-h, --help".PadRight(width)).AppendLine("this text");
    }
}
