using System.Text.RegularExpressions;
using Collector.Search.Metrics;
using Collector.Search.Pipeline;
using Collector.Storage;

namespace Collector.Search;

/// <summary>
/// One parser for every endpoint. LogQL subset: <c>{namespace="a", pod=~"web-.*", severity&lt;="warning"}</c>
/// followed by line filters <c>|= "x"</c>, <c>!= "x"</c>, <c>|~ "re"</c>, <c>!~ "re"</c>; strings in double quotes
/// (Go escapes) or backticks (raw). Gravity's wstail syntax (<c>pod:x and container:y or "free text"</c>, <c>file:</c>,
/// <c>namespace:</c>) is accepted where <see cref="Parse"/> is told so and the query does not start with <c>{</c>.
/// Errors throw <see cref="QueryParseException"/> with the character position.
/// </summary>
public static class QueryParser
{
    public const int MaxQueryLength = 4096;
    public const int MaxRegexLength = 1024;

    /// <summary>
    /// Per line, per regex: NonBacktracking is linear, this only bounds a huge line times a huge pattern.
    /// </summary>
    public static readonly TimeSpan RegexMatchTimeout = TimeSpan.FromSeconds(1);

    /// <summary>The log query inside a range aggregation: its pipeline may end in <c>| unwrap</c>.</summary>
    public static LogQuery ParseRange(string text) => ParseText(text, gravity: false, allowUnwrap: true);

    public static LogQuery Parse(string? text, bool gravity = false) => ParseText(text, gravity, allowUnwrap: false);

    private static LogQuery ParseText(string? text, bool gravity, bool allowUnwrap)
    {
        text ??= string.Empty;
        if (text.Length > MaxQueryLength)
        {
            throw new QueryParseException($"the query is longer than {MaxQueryLength} characters", MaxQueryLength);
        }

        var reader = new QueryReader(text, comments: !gravity || text.TrimStart().StartsWith('{'));
        reader.SkipSpace();
        if (reader.AtEnd)
        {
            return new LogQuery(text, LogQuery.All.Terms);
        }

        if (gravity && reader.Peek != '{')
        {
            return new LogQuery(text, ParseGravity(ref reader));
        }

        var term = ParseLogQl(ref reader, allowUnwrap, out var pipeline);
        return new LogQuery(text, [term], pipeline);
    }

    private static QueryTerm ParseLogQl(ref QueryReader r, bool allowUnwrap, out LogPipeline? pipeline)
    {
        pipeline = null;
        var matchers = new List<LabelMatcher>();
        if (r.Peek != '{')
        {
            throw r.Error("expected a stream selector such as {namespace=\"web\"}");
        }

        r.Advance(1);
        r.SkipSpace();
        while (r.Peek != '}')
        {
            matchers.Add(ParseMatcher(ref r));

            r.SkipSpace();
            if (r.Peek == ',')
            {
                r.Advance(1);
                r.SkipSpace();
                if (r.Peek == '}')
                {
                    throw r.Error("expected a label matcher after ','");
                }
            }
            else if (r.Peek != '}')
            {
                throw r.Error(r.AtEnd ? "the selector is not closed: expected '}'" : "expected ',' or '}'");
            }
        }

        r.Advance(1);
        var filters = new List<LineFilter>();
        while (true)
        {
            r.SkipSpace();
            if (r.AtEnd)
            {
                break;
            }

            if (PipelineParser.AtLineFilter(ref r))
            {
                filters.AddRange(PipelineParser.ReadLineFilter(ref r));
                continue;
            }

            if (r.Peek != '|')
            {
                throw r.Error("expected a line filter (|= \"text\", != \"text\", |~ \"regex\", !~ \"regex\") or a pipeline stage (| json …)");
            }

            pipeline = PipelineParser.Parse(ref r, allowUnwrap);
            break;
        }

        return new QueryTerm(matchers, filters);
    }

    private static LabelMatcher ParseMatcher(ref QueryReader r)
    {
        string name = r.ReadIdentifier();
        if (name.Length == 0)
        {
            throw r.Error(r.AtEnd ? "the selector is not closed: expected a label name or '}'" : "expected a label name");
        }

        if (name is LokiLabels.Level or LokiLabels.DetectedLevel)
        {
            return ParseLevelMatcher(ref r, name);
        }

        // Any other name is a pod label's (docs/kubernetes-metadata.md); one no line has matches as a missing label.
        bool isSeverity = name == LogLabels.Names[(int)LogLabel.Severity];
        r.SkipSpace();
        int opAt = r.Position;
        MatchOp op = r.TryTake("=~") ? MatchOp.Regex
            : r.TryTake("!~") ? MatchOp.NotRegex
            : r.TryTake("!=") ? MatchOp.NotEqual
            : r.TryTake("<=") ? MatchOp.LessOrEqual
            : r.TryTake(">=") ? MatchOp.GreaterOrEqual
            : r.TryTake("=") ? MatchOp.Equal
            : r.TryTake("<") ? MatchOp.Less
            : r.TryTake(">") ? MatchOp.Greater
            : throw r.Error("expected an operator: = != =~ !~ (and < <= > >= for severity)");
        r.SkipSpace();
        int valueAt = r.Position;
        string value = r.ReadString();
        Regex? regex = null;
        if (op is MatchOp.Less or MatchOp.LessOrEqual or MatchOp.Greater or MatchOp.GreaterOrEqual)
        {
            if (!isSeverity)
            {
                throw new QueryParseException($"'{name}' cannot be compared with < <= > >=: only severity can", opAt);
            }

            if (LogLabels.SeverityCode(value) < 0)
            {
                throw new QueryParseException(
                    $"'{value}' is not a severity: use emerg, alert, crit, err, warning, notice, info, debug or 0-7",
                    valueAt);
            }
        }
        else if (op is MatchOp.Regex or MatchOp.NotRegex)
        {
            regex = Compile(value, valueAt, anchored: true);
        }

        return new LabelMatcher(name, op, value, regex);
    }

    /// <summary>
    /// <c>level</c> and <c>detected_level</c> are not stored: they are derived from the severity
    /// (<see cref="LokiLabels.LevelNames"/>), so a matcher on them becomes a matcher on the severities whose level it
    /// accepts, which the index can use (<c>{level="error"}</c> is <c>severity=~"err"</c>; "unknown" is an empty or
    /// unknown severity).
    /// </summary>
    private static LabelMatcher ParseLevelMatcher(ref QueryReader r, string name)
    {
        r.SkipSpace();
        MatchOp op = r.TryTake("=~") ? MatchOp.Regex
            : r.TryTake("!~") ? MatchOp.NotRegex
            : r.TryTake("!=") ? MatchOp.NotEqual
            : r.TryTake("=") ? MatchOp.Equal
            : throw r.Error($"expected an operator after '{name}': = != =~ !~");
        r.SkipSpace();
        int valueAt = r.Position;
        string value = r.ReadString();
        var levelMatcher = op is MatchOp.Regex or MatchOp.NotRegex ? Compile(value, valueAt, anchored: true) : null;
        bool Accepts(string level) => op switch
        {
            MatchOp.Equal => level == value,
            MatchOp.NotEqual => level != value,
            MatchOp.Regex => levelMatcher!.IsMatch(level),
            _ => !levelMatcher!.IsMatch(level),
        };

        var severities = LogLabels.SeverityNames.Where((_, code) => Accepts(LokiLabels.LevelNames[code])).ToList();
        if (Accepts("unknown"))
        {
            severities.Add(string.Empty);
        }

        // A level no severity maps to selects no line.
        if (severities.Count == 0)
        {
            return MatchesNothing(valueAt);
        }

        string pattern = string.Join('|', severities);
        return new LabelMatcher(LogLabel.Severity, MatchOp.Regex, pattern, Compile(pattern, valueAt, anchored: true));
    }

    // An empty class matches nothing: no severity, not even the empty one, passes it.
    private static LabelMatcher MatchesNothing(int position) =>
        new(LogLabel.Severity, MatchOp.Regex, "[^\\s\\S]", Compile("[^\\s\\S]", position, anchored: true));

    /// <summary>
    /// Gravity: <c>term (and|or)? term …</c>, <c>and</c> binding tighter than <c>or</c>; a term is
    /// <c>key:value</c> or text.
    /// </summary>
    private static List<QueryTerm> ParseGravity(ref QueryReader r)
    {
        var alternatives = new List<QueryTerm>();
        var matchers = new List<LabelMatcher>();
        var filters = new List<LineFilter>();
        bool expectTerm = true;
        while (true)
        {
            r.SkipSpace();
            if (r.AtEnd)
            {
                if (expectTerm)
                {
                    throw r.Error("expected a term after 'and' or 'or'");
                }

                break;
            }

            int at = r.Position;
            if (!expectTerm && r.Peek != '"' && r.Peek != '`')
            {
                string word = r.PeekWord();
                if (word.Equals("and", StringComparison.OrdinalIgnoreCase))
                {
                    r.Advance(word.Length);
                    expectTerm = true;
                    continue;
                }

                if (word.Equals("or", StringComparison.OrdinalIgnoreCase))
                {
                    r.Advance(word.Length);
                    alternatives.Add(new QueryTerm(matchers, filters));
                    matchers = [];
                    filters = [];
                    expectTerm = true;
                    continue;
                }
            }

            if (r.Peek is '"' or '`')
            {
                filters.Add(new LineFilter(FilterOp.Contains, r.ReadString(), null));
            }
            else
            {
                string word = r.ReadWord();
                int colon = word.IndexOf(':', StringComparison.Ordinal);
                string key = colon > 0 ? word[..colon] : string.Empty;
                bool isLabel = LogLabels.TryParse(key, out var label);
                if (colon > 0 && (key == "file" || isLabel))
                {
                    string value = colon + 1 < word.Length ? word[(colon + 1)..] : r.Peek is '"' or '`' ? r.ReadString() : string.Empty;
                    if (value.Length == 0)
                    {
                        throw new QueryParseException($"'{key}:' needs a value", at);
                    }

                    if (key == "file")
                    {
                        // Gravity's file: is a container id; the line holds it wherever the Forwarder records it.
                        filters.Add(new LineFilter(FilterOp.Contains, value, null));
                    }
                    else
                    {
                        matchers.Add(new LabelMatcher(label, MatchOp.Equal, value, null));
                    }
                }
                else
                {
                    filters.Add(new LineFilter(FilterOp.Contains, word, null));
                }
            }

            expectTerm = false;
        }

        alternatives.Add(new QueryTerm(matchers, filters));
        return alternatives;
    }

    internal static Regex Compile(string pattern, int position, bool anchored)
    {
        if (pattern.Length > MaxRegexLength)
        {
            throw new QueryParseException($"the regex is longer than {MaxRegexLength} characters", position);
        }

        try
        {
            return new Regex(
                anchored ? $"^(?:{pattern})$" : pattern,
                RegexOptions.NonBacktracking | RegexOptions.CultureInvariant,
                RegexMatchTimeout);
        }
        catch (RegexParseException ex)
        {
            int offset = Math.Clamp(ex.Offset - (anchored ? 4 : 0), 0, pattern.Length);
            throw new QueryParseException($"bad regex: {ex.Error}", position + 1 + offset);
        }
        catch (NotSupportedException ex)
        {
            // NonBacktracking refuses backreferences, lookarounds and automata that would grow too large.
            throw new QueryParseException($"regex not supported: {ex.Message}", position);
        }
        catch (ArgumentException ex)
        {
            throw new QueryParseException($"bad regex: {ex.Message}", position);
        }
    }
}
