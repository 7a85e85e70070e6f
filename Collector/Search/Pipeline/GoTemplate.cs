using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Collector.Search.Pipeline;

/// <summary>
/// The subset of Go's text/template that LogQL's <c>line_format</c> and <c>label_format</c> use: text and actions
/// <c>{{ … }}</c> (with <c>{{-</c>/<c>-}}</c> trimming), <c>.label</c> (missing: ""), <c>.</c>, string, number and
/// boolean literals, function calls, pipelines <c>a | f x</c> (the value is the last argument), parentheses,
/// <c>{{if}} … {{else if}} … {{else}} … {{end}}</c> and comments <c>{{/* … */}}</c>. The functions are
/// <see cref="TemplateFunctions"/>; any other name is a parse error naming it, as Go's <c>function "x" not defined</c>.
/// </summary>
public sealed class GoTemplate
{
    private readonly List<Node> _nodes;

    private GoTemplate(List<Node> nodes) => _nodes = nodes;

    private abstract record Node;

    private sealed record TextNode(string Text) : Node;

    private sealed record ActionNode(Pipe Pipe) : Node;

    private sealed record IfNode(Pipe Condition, List<Node> Then, List<Node> Else) : Node;

    private sealed record Pipe(List<Command> Commands);

    private sealed record Command(List<Arg> Args);

    private abstract record Arg;

    private sealed record FieldArg(string[] Path) : Arg;

    private sealed record DotArg : Arg;

    private sealed record LiteralArg(object Value) : Arg;

    private sealed record FunctionArg(string Name) : Arg;

    private sealed record PipeArg(Pipe Pipe) : Arg;

    /// <summary>
    /// The template is a single <c>{{.name}}</c>: Loki copies the value without running the template.
    /// </summary>
    public string? SimpleKey => _nodes is [ActionNode { Pipe.Commands: [{ Args: [FieldArg { Path: [var key] }] }] }] ? key : null;

    public static GoTemplate Parse(string text)
    {
        var parser = new TemplateParser(text);
        var nodes = parser.ParseList(out string? end);
        if (end is not null)
        {
            throw new TemplateException($"unexpected {{{{{end}}}}}", parser.Position);
        }

        return new GoTemplate(nodes);
    }

    /// <summary>
    /// Runs the template over the line's labels; throws <see cref="TemplateException"/> for a runtime error.
    /// </summary>
    public string Execute(PipelineLine line)
    {
        var output = new StringBuilder();
        try
        {
            Run(_nodes, line, output);
        }
        catch (RegexMatchTimeoutException ex)
        {
            throw new TemplateException($"regex match timed out after {ex.MatchTimeout}");
        }

        return output.ToString();
    }

    private static void Run(List<Node> nodes, PipelineLine line, StringBuilder output)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case TextNode t:
                    output.Append(t.Text);
                    break;
                case ActionNode a:
                    output.Append(TemplateFunctions.Print(Evaluate(a.Pipe, line)));
                    break;
                case IfNode i:
                    Run(TemplateFunctions.Truth(Evaluate(i.Condition, line)) ? i.Then : i.Else, line, output);
                    break;
                default:
                    break;
            }
        }
    }

    private static object? Evaluate(Pipe pipe, PipelineLine line)
    {
        object? value = null;
        bool first = true;
        foreach (var command in pipe.Commands)
        {
            value = Evaluate(command, line, first ? null : [value]);
            first = false;
        }

        return value;
    }

    private static object? Evaluate(Command command, PipelineLine line, object?[]? piped)
    {
        if (command.Args[0] is FunctionArg f)
        {
            var args = command.Args.Skip(1).Select(a => Value(a, line)).ToList();
            if (piped is not null)
            {
                args.AddRange(piped);
            }

            return TemplateFunctions.Call(f.Name, args, line);
        }

        if (command.Args.Count > 1 || piped is not null)
        {
            throw new TemplateException($"can't give argument to non-function {Describe(command.Args[0])}");
        }

        return Value(command.Args[0], line);
    }

    private static string Describe(Arg arg) => arg switch
    {
        FieldArg f => "." + string.Join('.', f.Path),
        LiteralArg l => TemplateFunctions.Print(l.Value),
        _ => ".",
    };

    private static object? Value(Arg arg, PipelineLine line) => arg switch
    {
        FieldArg { Path.Length: 1 } f => line.Get(f.Path[0]),
        FieldArg f => throw new TemplateException($"can't evaluate field {f.Path[1]} in type string"),
        DotArg => line.Labels.ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal),
        LiteralArg l => l.Value,
        FunctionArg f => TemplateFunctions.Call(f.Name, [], line),
        PipeArg p => Evaluate(p.Pipe, line),
        _ => null,
    };

    private sealed class TemplateParser(string text)
    {
        private int _pos;

        public int Position => _pos;

        /// <summary>
        /// Nodes up to the end of the text or an <c>{{else}}</c>/<c>{{end}}</c> (returned in <paramref name="end"/>).
        /// </summary>
        public List<Node> ParseList(out string? end)
        {
            var nodes = new List<Node>();
            end = null;
            while (_pos < text.Length)
            {
                int open = text.IndexOf("{{", _pos, StringComparison.Ordinal);
                string literal = open < 0 ? text[_pos..] : text[_pos..open];
                bool trimLeft = open >= 0 && open + 2 < text.Length && text[open + 2] == '-'
                    && open + 3 < text.Length && char.IsWhiteSpace(text[open + 3]);
                if (trimLeft)
                {
                    literal = literal.TrimEnd();
                }

                if (literal.Length > 0)
                {
                    nodes.Add(new TextNode(literal));
                }

                if (open < 0)
                {
                    _pos = text.Length;
                    break;
                }

                int actionStart = open;
                _pos = open + (trimLeft ? 3 : 2);
                SkipSpace();
                if (TryTake("/*"))
                {
                    int close = text.IndexOf("*/", _pos, StringComparison.Ordinal);
                    if (close < 0)
                    {
                        throw new TemplateException("unclosed comment", actionStart);
                    }

                    _pos = close + 2;
                    CloseAction(actionStart);
                    continue;
                }

                string word = PeekWord();
                if (word is "end" or "else")
                {
                    _pos += word.Length;
                    SkipSpace();
                    if (word == "else" && PeekWord() == "if")
                    {
                        end = "else if";
                        return nodes;
                    }

                    CloseAction(actionStart);
                    end = word;
                    return nodes;
                }

                if (word == "if")
                {
                    _pos += 2;
                    nodes.Add(ParseIf(actionStart));
                    continue;
                }

                if (word is "range" or "with" or "define" or "template" or "block" or "break" or "continue")
                {
                    throw new TemplateException($"{{{{{word}}}}} is not supported in LogQL templates here", actionStart);
                }

                var pipe = ParsePipe(actionStart);
                CloseAction(actionStart);
                nodes.Add(new ActionNode(pipe));
            }

            return nodes;
        }

        private IfNode ParseIf(int actionStart)
        {
            var condition = ParsePipe(actionStart);
            CloseAction(actionStart);
            var then = ParseList(out string? end);
            var otherwise = new List<Node>();
            if (end == "else if")
            {
                _pos += 2;
                otherwise.Add(ParseIf(actionStart));
                return new IfNode(condition, then, otherwise);
            }

            if (end == "else")
            {
                otherwise = ParseList(out end);
            }

            if (end != "end")
            {
                throw new TemplateException("unexpected EOF: {{if}} without {{end}}", actionStart);
            }

            return new IfNode(condition, then, otherwise);
        }

        private void CloseAction(int actionStart)
        {
            SkipSpace();
            if (TryTake("-}}"))
            {
                while (_pos < text.Length && char.IsWhiteSpace(text[_pos]))
                {
                    _pos++;
                }

                return;
            }

            if (!TryTake("}}"))
            {
                throw new TemplateException(
                    _pos >= text.Length ? "unclosed action" : $"unexpected \"{text[_pos]}\" in command",
                    _pos >= text.Length ? actionStart : _pos);
            }
        }

        private Pipe ParsePipe(int actionStart)
        {
            var commands = new List<Command>();
            while (true)
            {
                var args = new List<Arg>();
                while (true)
                {
                    SkipSpace();
                    if (_pos >= text.Length)
                    {
                        throw new TemplateException("unclosed action", actionStart);
                    }

                    char c = text[_pos];
                    if (c == '|' || c == ')' || text.AsSpan(_pos).StartsWith("}}") || text.AsSpan(_pos).StartsWith("-}}"))
                    {
                        break;
                    }

                    args.Add(ParseArg(actionStart));
                }

                if (args.Count == 0)
                {
                    throw new TemplateException(commands.Count == 0 ? "missing value for command" : "missing value for command after '|'", _pos);
                }

                commands.Add(new Command(args));
                if (_pos < text.Length && text[_pos] == '|')
                {
                    _pos++;
                    continue;
                }

                return new Pipe(commands);
            }
        }

        private Arg ParseArg(int actionStart)
        {
            int at = _pos;
            char c = text[_pos];
            if (c == '(')
            {
                _pos++;
                var pipe = ParsePipe(actionStart);
                SkipSpace();
                if (!TryTake(")"))
                {
                    throw new TemplateException("unclosed left paren", at);
                }

                return new PipeArg(pipe);
            }

            if (c == '.')
            {
                _pos++;
                if (_pos >= text.Length || !(char.IsLetter(text[_pos]) || text[_pos] == '_'))
                {
                    return new DotArg();
                }

                var path = new List<string>();
                while (true)
                {
                    int start = _pos;
                    while (_pos < text.Length && (char.IsLetterOrDigit(text[_pos]) || text[_pos] == '_'))
                    {
                        _pos++;
                    }

                    path.Add(text[start.._pos]);
                    if (_pos < text.Length && text[_pos] == '.' && _pos + 1 < text.Length && char.IsLetter(text[_pos + 1]))
                    {
                        _pos++;
                        continue;
                    }

                    return new FieldArg([.. path]);
                }
            }

            if (c is '"' or '`')
            {
                return new LiteralArg(ReadString(at));
            }

            if (c == '\'')
            {
                int close = text.IndexOf('\'', _pos + 1);
                if (close < 0 || close == _pos + 1)
                {
                    throw new TemplateException("unterminated character constant", at);
                }

                string ch = text[(_pos + 1)..close];
                _pos = close + 1;
                return new LiteralArg((long)char.ConvertToUtf32(ch, 0));
            }

            if (char.IsAsciiDigit(c) || (c is '-' or '+' && _pos + 1 < text.Length && char.IsAsciiDigit(text[_pos + 1])))
            {
                int start = _pos;
                _pos++;
                while (_pos < text.Length
                    && (char.IsAsciiLetterOrDigit(text[_pos]) || text[_pos] == '.' || (text[_pos] is '+' or '-' && text[_pos - 1] is 'e' or 'E')))
                {
                    _pos++;
                }

                string number = text[start.._pos];
                if (long.TryParse(number, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l))
                {
                    return new LiteralArg(l);
                }

                if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double d))
                {
                    return new LiteralArg(d);
                }

                throw new TemplateException($"bad number syntax: \"{number}\"", at);
            }

            if (char.IsLetter(c) || c == '_')
            {
                string word = PeekWord();
                _pos += word.Length;
                if (word is "true" or "false")
                {
                    return new LiteralArg(word == "true");
                }

                if (word == "nil")
                {
                    throw new TemplateException("nil is not a command", at);
                }

                if (!TemplateFunctions.IsDefined(word))
                {
                    throw new TemplateException($"function \"{word}\" not defined", at);
                }

                return new FunctionArg(word);
            }

            if (c == '$')
            {
                throw new TemplateException("variables ($x) are not supported in LogQL templates here", at);
            }

            throw new TemplateException($"unexpected \"{c}\" in command", at);
        }

        private string ReadString(int at)
        {
            char quote = text[_pos++];
            var value = new StringBuilder();
            while (true)
            {
                if (_pos >= text.Length || (quote == '"' && text[_pos] == '\n'))
                {
                    throw new TemplateException("unterminated quoted string", at);
                }

                char c = text[_pos++];
                if (c == quote)
                {
                    return value.ToString();
                }

                if (c == '\\' && quote == '"' && _pos < text.Length)
                {
                    char e = text[_pos++];
                    value.Append(e switch
                    {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        '\\' => '\\',
                        '"' => '"',
                        _ => throw new TemplateException($"unknown escape sequence \\{e}", _pos - 2),
                    });
                    continue;
                }

                value.Append(c);
            }
        }

        private string PeekWord()
        {
            int end = _pos;
            while (end < text.Length && (char.IsLetterOrDigit(text[end]) || text[end] == '_'))
            {
                end++;
            }

            return text[_pos..end];
        }

        private void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos]))
            {
                _pos++;
            }
        }

        private bool TryTake(string token)
        {
            if (text.AsSpan(_pos).StartsWith(token, StringComparison.Ordinal))
            {
                _pos += token.Length;
                return true;
            }

            return false;
        }
    }
}
