using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Deploy.Tests.Docker;

/// <summary>One instruction of a Dockerfile, continuation lines joined, comments dropped.</summary>
internal sealed record Instruction(string Keyword, string Arguments, int Line);

/// <summary>A build stage: its FROM image, its name (AS …) and its instructions.</summary>
internal sealed record Stage(string Image, string? Name, IReadOnlyList<Instruction> Instructions)
{
    public IEnumerable<Instruction> All(string keyword) => Instructions.Where(i => i.Keyword == keyword);
}

/// <summary>
/// deploy/docker/COMPONENT.Dockerfile read the way the builder reads it (enough for the checks here).
/// </summary>
internal sealed class Dockerfile
{
    private Dockerfile(string component, IReadOnlyList<Instruction> instructions)
    {
        Component = component;
        Instructions = instructions;
        var stages = new List<Stage>();
        var globalArguments = GlobalArgumentsOf(instructions);
        foreach (var instruction in instructions)
        {
            if (instruction.Keyword == "FROM")
            {
                var words = instruction.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                    .Where(w => !w.StartsWith("--", StringComparison.Ordinal))
                    .Select(w => Expand(w, globalArguments))
                    .ToArray();
                stages.Add(new Stage(words[0], words.Length >= 3 && words[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? words[2] : null, []));
            }
            else if (stages.Count > 0)
            {
                stages[^1] = stages[^1] with { Instructions = [.. stages[^1].Instructions, instruction] };
            }
        }

        Stages = stages;
    }

    public string Component { get; }

    public string RelativePath => $"deploy/docker/{Component}.Dockerfile";

    public IReadOnlyList<Instruction> Instructions { get; }

    public IReadOnlyList<Stage> Stages { get; }

    public Stage Final => Stages[^1];

    public string? User => Final.All("USER").LastOrDefault()?.Arguments;

    /// <summary>The final stage's ENV, in order.</summary>
    public IReadOnlyDictionary<string, string> Environment =>
        Final.All("ENV").SelectMany(i => Words(i.Arguments)).Select(w => w.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    /// <summary>The HEALTHCHECK's command in exec form (CMD ["…", …]).</summary>
    public IReadOnlyList<string> HealthcheckCommand
    {
        get
        {
            string arguments = Final.All("HEALTHCHECK").Single().Arguments;
            int cmd = arguments.IndexOf("CMD [", StringComparison.Ordinal);
            return cmd < 0 ? [] : JsonSerializer.Deserialize<string[]>(arguments[(cmd + 4)..]) ?? [];
        }
    }

    public IReadOnlyList<string> Entrypoint =>
        JsonSerializer.Deserialize<string[]>(Final.All("ENTRYPOINT").Single().Arguments) ?? [];

    public static Dockerfile Load(string component) =>
        new(component, Parse(File.ReadAllLines(Repository.File($"deploy/docker/{component}.Dockerfile"))));

    public static IReadOnlyList<Instruction> Parse(IReadOnlyList<string> lines)
    {
        var instructions = new List<Instruction>();
        var current = new StringBuilder();
        int start = 0;
        for (int i = 0; i < lines.Count; i++)
        {
            string line = lines[i].Trim();
            if (line.StartsWith('#') || (line.Length == 0 && current.Length == 0))
            {
                continue; // comments (and parser directives) may sit between continuation lines too
            }

            if (current.Length == 0)
            {
                start = i + 1;
            }

            bool continues = line.EndsWith('\\');
            current.Append(continues ? line[..^1] : line).Append(' ');
            if (!continues)
            {
                string text = current.ToString().Trim();
                int space = text.IndexOf(' ', StringComparison.Ordinal);
                instructions.Add(new Instruction(text[..space].ToUpperInvariant(), text[(space + 1)..].Trim(), start));
                current.Clear();
            }
        }

        return instructions;
    }

    /// <summary>The ARGs declared before the first FROM, with their defaults.</summary>
    public IReadOnlyDictionary<string, string> GlobalArguments => GlobalArgumentsOf(Instructions);

    /// <summary>${NAME} and $NAME replaced by the ARG's default (an unknown name stays as written).</summary>
    public static string Expand(string word, IReadOnlyDictionary<string, string> arguments) =>
        Regex.Replace(
            word,
            @"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)\}|\$(?<name>[A-Za-z_][A-Za-z0-9_]*)",
            m => arguments.TryGetValue(m.Groups["name"].Value, out string? value) ? value : m.Value);

    // ARGs before the first FROM are the only ones FROM can use; a plain build takes their defaults.
    private static Dictionary<string, string> GlobalArgumentsOf(IReadOnlyList<Instruction> instructions) =>
        instructions.TakeWhile(i => i.Keyword != "FROM").Where(i => i.Keyword == "ARG")
            .Select(i => i.Arguments.Split('=', 2))
            .ToDictionary(p => p[0].Trim(), p => p.Length == 2 ? p[1].Trim() : string.Empty, StringComparer.Ordinal);

    /// <summary>Splits on spaces outside double quotes and drops the quotes (as ENV KEY="VALUE" …).</summary>
    public static IEnumerable<string> Words(string text)
    {
        var word = new StringBuilder();
        bool quoted = false;
        foreach (char c in text)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ' ' && !quoted)
            {
                if (word.Length > 0)
                {
                    yield return word.ToString();
                    word.Clear();
                }
            }
            else
            {
                word.Append(c);
            }
        }

        if (word.Length > 0)
        {
            yield return word.ToString();
        }
    }
}
