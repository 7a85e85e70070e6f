using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Shared.Configuration;

/// <summary>
/// A program's switches as a System.CommandLine root command, built from the program's one list of settings. Parsing
/// turns <c>--name value</c>, <c>--name=value</c> and <c>--name:value</c> into <c>Section:Key</c> configuration
/// entries, so a switch, an environment variable and <c>appsettings.json</c> set the same thing; values are checked
/// later by the settings' own parsers, which name the key and the value.
/// </summary>
public sealed class SwitchCommand
{
    // Wide enough that no help line wraps: the tests and docs find "(default …)" on one line, as before.
    private const int HelpWidth = 10_000;

    private readonly RootCommand _root;
    private readonly (CommandLineSwitch Switch, Option<string[]> Option)[] _options;
    private readonly string _section;

    // No response files (@file): an argument starting with @ is an unknown argument, as it was.
    private readonly ParserConfiguration _parser = new() { ResponseFileTokenReplacer = null };

    /// <param name="section">The configuration section the keys are under (<c>Collector</c>).</param>
    /// <param name="description">The first lines of <c>--help</c>.</param>
    /// <param name="switches">The switches, in the order <c>--help</c> lists them.</param>
    /// <param name="epilogue">Text after the switches in <c>--help</c>: message format, configuration, exit
    /// codes.</param>
    public SwitchCommand(string section, string description, IReadOnlyList<CommandLineSwitch> switches, string epilogue)
    {
        _section = section;
        Switches = switches;
        _root = new RootCommand(description);

        // Directives ([suggest]) and --version are System.CommandLine's additions; the programs have neither.
        _root.Directives.Clear();
        foreach (var version in _root.Options.OfType<VersionOption>().ToList())
        {
            _root.Options.Remove(version);
        }

        _options = [.. switches.Select(s => (s, new Option<string[]>(s.Name)
        {
            HelpName = s.Value,
            Description = s.Help,

            // Every switch collects all its values: a repeatable one fills a list, a single one keeps the last, as a
            // later --max-files in a manifest's args overrides an earlier one. One value per occurrence.
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
        }))];
        foreach (var (_, option) in _options)
        {
            _root.Options.Add(option);
        }

        var help = _root.Options.OfType<HelpOption>().Single();
        var helpAction = (HelpAction)help.Action!;
        helpAction.MaxWidth = HelpWidth;
        help.Action = new HelpWithEpilogue(helpAction, epilogue);
    }

    public IReadOnlyList<CommandLineSwitch> Switches { get; }

    /// <summary>
    /// Parses every argument into <c>Section:Key</c> entries (a repeatable switch into <c>Section:Key:0</c>, <c>:1</c>,
    /// …), or explains the first bad one. <c>-h</c>, <c>--help</c> and <c>-?</c> set <paramref name="help"/>.
    /// </summary>
    public bool TryParse(IReadOnlyList<string> args, out Dictionary<string, string?> values, out bool help, out string? error)
    {
        values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var result = _root.Parse(EmptyValuesSplit(args), _parser);
        help = result.Action is HelpWithEpilogue;
        error = null;
        foreach (var (s, option) in _options)
        {
            if (result.GetResult(option) is not { Tokens.Count: > 0 } found)
            {
                continue;
            }

            if (!s.Repeatable)
            {
                values[$"{_section}:{s.Key}"] = found.Tokens[^1].Value;
                continue;
            }

            for (int i = 0; i < found.Tokens.Count; i++)
            {
                values[string.Create(CultureInfo.InvariantCulture, $"{_section}:{s.Key}:{i}")] = found.Tokens[i].Value;
            }
        }

        // A leading [name] is tokenized as a directive even when the command has none, and then ignored: an argument
        // the program does not know is an error, whatever its shape.
        if (result.Tokens.FirstOrDefault(t => t.Type == TokenType.Directive) is { } directive && !help)
        {
            error = $"unknown argument '{directive.Value}' (see --help)";
            return false;
        }

        if (help || result.Errors.Count == 0)
        {
            return true;
        }

        error = Explain(args, result);
        return false;
    }

    /// <summary>
    /// What <c>--help</c> prints: description, usage, one line per switch with its value and default, the epilogue.
    /// </summary>
    public string HelpText()
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        _root.Parse(["--help"], _parser).Invoke(new InvocationConfiguration { Output = output });
        return output.ToString();
    }

    /// <summary>
    /// Our wording of the first error, which the tests pin: System.CommandLine's "Unrecognized command or argument"
    /// and "Required argument missing" name neither the switch's value nor --help.
    /// </summary>
    private string Explain(IReadOnlyList<string> args, ParseResult result)
    {
        // Unknown arguments and missing values are reported in argument order, whichever kind comes first.
        var unknown = result.UnmatchedTokens.Count > 0 ? result.UnmatchedTokens[0] : null;
        var missing = _options.FirstOrDefault(o => result.GetResult(o.Option) is { Tokens.Count: 0 }).Switch;
        int unknownAt = unknown is null ? int.MaxValue : IndexOf(args, unknown);
        int missingAt = missing is null ? int.MaxValue : IndexOf(args, missing.Name);
        if (missing is not null && missingAt < unknownAt)
        {
            return $"{missing.Name} needs a value: {missing.Name} {missing.Value}";
        }

        return unknown is not null
            ? $"unknown argument '{unknown}' (see --help)"
            : result.Errors[0].Message;
    }

    private static int IndexOf(IReadOnlyList<string> args, string token)
    {
        for (int i = 0; i < args.Count; i++)
        {
            if (args[i] == token)
            {
                return i;
            }
        }

        return int.MaxValue;
    }

    /// <summary>
    /// <c>--udp=</c> disables the UDP listener, as <c>--udp ""</c> does; System.CommandLine drops the empty value after
    /// the separator and reports the value missing, so such an argument is passed as the switch and an empty argument.
    /// </summary>
    private string[] EmptyValuesSplit(IReadOnlyList<string> args)
    {
        var split = new List<string>(args.Count);
        foreach (string arg in args)
        {
            if (arg.Length > 1 && arg[^1] is '=' or ':' && Switches.Any(s => s.Name.AsSpan().SequenceEqual(arg.AsSpan(0, arg.Length - 1))))
            {
                split.Add(arg[..^1]);
                split.Add("");
            }
            else
            {
                split.Add(arg);
            }
        }

        return [.. split];
    }

    /// <summary>System.CommandLine's help (description, usage, switches), then the program's own text.</summary>
    private sealed class HelpWithEpilogue(HelpAction help, string epilogue) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            help.Invoke(parseResult);
            parseResult.InvocationConfiguration.Output.Write(epilogue);
            return 0;
        }
    }
}
