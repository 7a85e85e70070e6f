namespace Collector.Search.Pipeline;

/// <summary>
/// <c>| pattern "&lt;ip&gt; - &lt;_&gt; [&lt;ts&gt;] …"</c> (Loki's pkg/logql/log/pattern): a leading literal must
/// start the line; then each capture takes the text up to the next occurrence of the literal after it, the last one
/// the rest of the line; when a literal is not found the capture before it takes the rest and matching stops.
/// <c>&lt;_&gt;</c> skips without a label.
/// </summary>
public sealed class PatternStage : PipelineStage
{
    private readonly IReadOnlyList<(bool Capture, string Text)> _parts;

    private PatternStage(IReadOnlyList<(bool Capture, string Text)> parts) => _parts = parts;

    public IEnumerable<string> Names => _parts.Where(p => p.Capture && p.Text != "_").Select(p => p.Text);

    /// <summary>
    /// Splits a pattern into literals and <c>&lt;name&gt;</c> captures; <paramref name="error"/> says
    /// why it is invalid.
    /// </summary>
    public static PatternStage Create(string pattern, out string? error)
    {
        var parts = Split(pattern);
        var stage = new PatternStage(parts);
        var names = stage.Names.ToList();
        error = null;
        if (names.Count == 0)
        {
            error = "at least one capture is required";
        }
        else if (parts.Zip(parts.Skip(1)).FirstOrDefault(p => p.First.Capture && p.Second.Capture) is { First.Text: not null } pair)
        {
            error = $"found consecutive capture '<{pair.First.Text}><{pair.Second.Text}>': invalid expression";
        }
        else if (names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            error = $"duplicate capture name ({duplicate.Key}): invalid expression";
        }

        return stage;
    }

    /// <summary>A pattern's literals and captures in order (a capture's text is its name, <c>_</c> unnamed).</summary>
    internal static List<(bool Capture, string Text)> Split(string pattern)
    {
        var parts = new List<(bool, string)>();
        int literalStart = 0;
        int i = 0;
        while (i < pattern.Length)
        {
            int end = pattern[i] == '<' ? CaptureEnd(pattern, i) : -1;
            if (end < 0)
            {
                i++;
                continue;
            }

            if (i > literalStart)
            {
                parts.Add((false, pattern[literalStart..i]));
            }

            parts.Add((true, pattern[(i + 1)..end]));
            i = literalStart = end + 1;
        }

        if (literalStart < pattern.Length)
        {
            parts.Add((false, pattern[literalStart..]));
        }

        return parts;
    }

    public override bool Process(PipelineLine line)
    {
        var captures = Matches(line.Line);
        var names = Names.ToList();
        for (int k = 0; k < captures.Count; k++)
        {
            line.Set(line.ExtractedName(names[k]), captures[k]);
        }

        return true;
    }

    /// <summary>
    /// pattern.Matcher.Matches: the captured values of named captures, in order; fewer when the line ends early.
    /// </summary>
    public List<string> Matches(string input)
    {
        var captures = new List<string>();
        if (input.Length == 0 || _parts.Count == 0)
        {
            return captures;
        }

        var rest = input.AsSpan();
        int k = 0;
        if (!_parts[0].Capture)
        {
            if (!rest.StartsWith(_parts[0].Text, StringComparison.Ordinal))
            {
                return captures;
            }

            rest = rest[_parts[0].Text.Length..];
            k = 1;
        }

        while (k < _parts.Count)
        {
            var (_, name) = _parts[k];
            bool named = name != "_";
            if (k == _parts.Count - 1)
            {
                if (named)
                {
                    captures.Add(rest.ToString());
                }

                return captures;
            }

            string literal = _parts[k + 1].Text;
            k += 2;
            int at = rest.IndexOf(literal, StringComparison.Ordinal);
            if (at < 0)
            {
                if (named)
                {
                    captures.Add(rest.ToString());
                }

                return captures;
            }

            if (named)
            {
                captures.Add(rest[..at].ToString());
            }

            rest = rest[(at + literal.Length)..];
        }

        return captures;
    }

    /// <summary>
    /// The index of the '>' closing a capture <c>&lt;[A-Za-z_][A-Za-z0-9_]*&gt;</c> at <paramref name="i"/>, or -1.
    /// </summary>
    private static int CaptureEnd(string pattern, int i)
    {
        int p = i + 1;
        if (p >= pattern.Length || !(char.IsAsciiLetter(pattern[p]) || pattern[p] == '_'))
        {
            return -1;
        }

        while (p < pattern.Length && (char.IsAsciiLetterOrDigit(pattern[p]) || pattern[p] == '_'))
        {
            p++;
        }

        return p < pattern.Length && pattern[p] == '>' ? p : -1;
    }
}
