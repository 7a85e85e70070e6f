using System.Globalization;

namespace Collector.Search.Pipeline;

/// <summary>
/// The stages after a stream selector (Loki's <c>pipelineExpr</c> in pkg/logql/syntax/syntax.y): line filters with
/// <c>or</c>, parsers, label filters, formats, <c>drop</c>, <c>keep</c>, <c>decolorize</c>. Every error is a
/// <see cref="QueryParseException"/> that names the stage, at the character where it went wrong.
/// </summary>
internal static class PipelineParser
{
    /// <summary>Whether a line filter starts here: <c>|= != |~ !~ |&gt; !&gt;</c>.</summary>
    public static bool AtLineFilter(ref QueryReader r) =>
        r.Peek is '|' or '!' && r.PeekAt(1) is '=' or '~' or '>';

    /// <summary>
    /// One line filter with its <c>or</c> values: a positive one as one filter with alternatives, a negative one as
    /// one filter per value (Loki: <c>!(a or b)</c> is <c>!a and !b</c>). <c>|=</c> and <c>!=</c> also take
    /// <c>ip("…")</c> as a value.
    /// </summary>
    public static IEnumerable<LineFilter> ReadLineFilter(ref QueryReader r)
    {
        FilterOp op = r.TryTake("|=") ? FilterOp.Contains
            : r.TryTake("!=") ? FilterOp.NotContains
            : r.TryTake("|~") ? FilterOp.Regex
            : r.TryTake("!~") ? FilterOp.NotRegex
            : r.TryTake("|>") ? FilterOp.Pattern
            : r.TryTake("!>") ? FilterOp.NotPattern
            : throw r.Error("expected a line filter (|= != |~ !~ |> !>)");
        var values = new List<LineFilter>();
        do
        {
            r.SkipSpace();
            values.Add(ReadLineFilterValue(ref r, op));
            r.SkipSpace();
        }
        while (r.TryTakeWord("or"));

        if (op is FilterOp.Contains or FilterOp.Regex or FilterOp.Pattern && values.Count > 1)
        {
            var first = values[0];
            return [new LineFilter(first.Op, first.Text, first.Regex, values.Skip(1).ToList(), first.Pattern, first.Ip)];
        }

        return values;
    }

    private static LineFilter ReadLineFilterValue(ref QueryReader r, FilterOp op)
    {
        int at = r.Position;
        if (r.TryTakeWord("ip"))
        {
            if (op is not (FilterOp.Contains or FilterOp.NotContains))
            {
                throw new QueryParseException("ip: invalid operation: ip() filters lines with |= and != only", at);
            }

            string address = ReadIpArgument(ref r);
            var matcher = IpMatcher.Create(address, out string? error)
                ?? throw new QueryParseException(error!, at);
            return new LineFilter(op == FilterOp.Contains ? FilterOp.Ip : FilterOp.NotIp, address, null, ip: matcher);
        }

        int valueAt = r.Position;
        string value = r.ReadString();
        return op switch
        {
            FilterOp.Regex or FilterOp.NotRegex => new LineFilter(op, value, QueryParser.Compile(value, valueAt, anchored: false)),
            FilterOp.Pattern or FilterOp.NotPattern => new LineFilter(
                op, value, null, pattern: LinePattern.Create(value, out string? error)
                    ?? throw new QueryParseException($"pattern line filter: {error}", valueAt)),
            _ => new LineFilter(op, value, null),
        };
    }

    /// <summary><c>("…")</c> after <c>ip</c>: the address, CIDR or range as a string.</summary>
    private static string ReadIpArgument(ref QueryReader r)
    {
        r.SkipSpace();
        if (!r.TryTake("("))
        {
            throw r.Error("ip: expected '(' and a quoted address, CIDR or range");
        }

        r.SkipSpace();
        string address = r.ReadString();
        r.SkipSpace();
        if (!r.TryTake(")"))
        {
            throw r.Error("ip: expected ')'");
        }

        return address;
    }

    /// <summary>The stages from a <c>|</c> that is not a line filter to the end of the text.</summary>
    public static LogPipeline Parse(ref QueryReader r, bool allowUnwrap = false)
    {
        var stages = new List<PipelineStage>();
        while (true)
        {
            r.SkipSpace();
            if (r.AtEnd)
            {
                return new LogPipeline(stages);
            }

            int unwrapAt = r.Position;
            if (allowUnwrap && r.Peek == '|' && AtUnwrap(ref r))
            {
                return new LogPipeline(stages, ParseUnwrap(ref r, unwrapAt));
            }

            if (AtLineFilter(ref r))
            {
                stages.AddRange(ReadLineFilter(ref r).Select(f => new LineFilterStage(f)));
                continue;
            }

            if (r.Peek != '|')
            {
                throw r.Error("expected '|' and a pipeline stage, or a line filter");
            }

            r.Advance(1);
            r.SkipSpace();
            stages.Add(ParseStage(ref r));
        }
    }

    private static PipelineStage ParseStage(ref QueryReader r)
    {
        int at = r.Position;
        if (r.TryTakeWord("json"))
        {
            return ParseJson(ref r);
        }

        if (r.TryTakeWord("logfmt"))
        {
            return ParseLogfmt(ref r);
        }

        if (r.TryTakeWord("regexp"))
        {
            return ParseRegexp(ref r);
        }

        if (r.TryTakeWord("pattern"))
        {
            r.SkipSpace();
            int patternAt = r.Position;
            var stage = PatternStage.Create(ReadString(ref r, "pattern"), out string? error);
            return error is null ? stage : throw new QueryParseException($"pattern: {error}", patternAt);
        }

        if (r.TryTakeWord("unpack"))
        {
            return new UnpackStage();
        }

        if (r.TryTakeWord("line_format"))
        {
            r.SkipSpace();
            return new LineFormatStage(ParseTemplate(ref r, "line_format"));
        }

        if (r.TryTakeWord("label_format"))
        {
            return ParseLabelFormat(ref r);
        }

        if (r.TryTakeWord("drop"))
        {
            return new LabelSelectionStage(keep: false, ParseNamedMatchers(ref r, "drop"));
        }

        if (r.TryTakeWord("keep"))
        {
            return new LabelSelectionStage(keep: true, ParseNamedMatchers(ref r, "keep"));
        }

        if (r.TryTakeWord("decolorize"))
        {
            return new DecolorizeStage();
        }

        if (r.TryTakeWord("unwrap"))
        {
            throw new QueryParseException("unwrap is only allowed in a range aggregation such as sum_over_time({…} | unwrap x [5m])", at);
        }

        if (r.Peek == '(' || char.IsAsciiLetter(r.Peek) || r.Peek == '_')
        {
            return new LabelFilterStage(ParseOr(ref r));
        }

        throw r.Error("expected a pipeline stage (json, logfmt, regexp, pattern, unpack, line_format, label_format, drop, keep, "
            + "decolorize) or a label filter");
    }

    private static bool AtUnwrap(ref QueryReader r)
    {
        var probe = Rewind(r, r.Position + 1);
        probe.SkipSpace();
        return probe.TryTakeWord("unwrap");
    }

    /// <summary>
    /// <c>| unwrap name</c> or <c>| unwrap duration(name)</c> / <c>duration_seconds(name)</c> / <c>bytes(name)</c>,
    /// then only label filters (Loki's <c>unwrapExpr PIPE labelFilter</c>).
    /// </summary>
    private static Unwrap ParseUnwrap(ref QueryReader r, int at)
    {
        r.Advance(1);
        r.SkipSpace();
        r.TryTakeWord("unwrap");
        r.SkipSpace();
        var conversion = UnwrapConversion.Number;
        bool call = false;

        // A conversion is a call: "unwrap bytes" alone unwraps a label named bytes.
        if (AtCall(ref r, "duration_seconds") || AtCall(ref r, "duration"))
        {
            r.TryTakeWord("duration_seconds");
            r.TryTakeWord("duration");
            conversion = UnwrapConversion.Duration;
            call = true;
        }
        else if (AtCall(ref r, "bytes"))
        {
            r.TryTakeWord("bytes");
            conversion = UnwrapConversion.Bytes;
            call = true;
        }

        if (call)
        {
            r.SkipSpace();
            if (!r.TryTake("("))
            {
                throw r.Error("unwrap: expected '(' and a label name");
            }

            r.SkipSpace();
        }

        string label = r.ReadIdentifier();
        if (label.Length == 0)
        {
            throw r.Error("unwrap: expected a label name");
        }

        r.SkipSpace();
        if (call && !r.TryTake(")"))
        {
            throw r.Error("unwrap: expected ')'");
        }

        var post = new List<PipelineStage>();
        while (true)
        {
            r.SkipSpace();
            if (r.AtEnd)
            {
                return new Unwrap(label, conversion, post);
            }

            if (r.Peek != '|' || AtLineFilter(ref r))
            {
                throw r.Error("unwrap: only label filters may follow it");
            }

            r.Advance(1);
            r.SkipSpace();
            post.Add(new LabelFilterStage(ParseOr(ref r)));
        }
    }

    private static JsonPathStage ParseJsonParameters(ref QueryReader r)
    {
        var expressions = new List<(string, IReadOnlyList<object>)>();
        foreach (var (name, expression, at) in ParseExtractions(ref r, "json"))
        {
            expressions.Add((name, JsonPath.Parse(expression ?? name, at)));
        }

        return new JsonPathStage(expressions);
    }

    private static PipelineStage ParseJson(ref QueryReader r)
    {
        r.SkipSpace();
        return IsIdentifierStart(r.Peek) && !AtKeyword(ref r) ? ParseJsonParameters(ref r) : new JsonStage();
    }

    private static LogfmtStage ParseLogfmt(ref QueryReader r)
    {
        bool strict = false, keepEmpty = false;
        while (true)
        {
            r.SkipSpace();
            int at = r.Position;
            if (r.TryTake("--"))
            {
                if (r.TryTakeWord("strict"))
                {
                    strict = true;
                }
                else if (r.TryTakeWord("keep-empty") || r.TryTakeWord("keep_empty"))
                {
                    keepEmpty = true;
                }
                else
                {
                    throw new QueryParseException("logfmt: unknown flag: the flags are --strict and --keep-empty", at);
                }

                continue;
            }

            break;
        }

        if (!IsIdentifierStart(r.Peek) || AtKeyword(ref r))
        {
            return new LogfmtStage(strict, keepEmpty, null);
        }

        var expressions = ParseExtractions(ref r, "logfmt").Select(e => (e.Name, e.Expression ?? e.Name)).ToList();
        return new LogfmtStage(strict, keepEmpty, expressions);
    }

    /// <summary><c>name</c> or <c>name="expression"</c>, comma separated.</summary>
    private static List<(string Name, string? Expression, int At)> ParseExtractions(ref QueryReader r, string stage)
    {
        var list = new List<(string, string?, int)>();
        while (true)
        {
            r.SkipSpace();
            int at = r.Position;
            string name = r.ReadIdentifier();
            if (name.Length == 0)
            {
                throw r.Error($"{stage}: expected a label name");
            }

            r.SkipSpace();
            string? expression = null;
            if (r.Peek == '=' && r.PeekAt(1) != '=' && r.PeekAt(1) != '~')
            {
                r.Advance(1);
                r.SkipSpace();
                at = r.Position;
                expression = ReadString(ref r, stage);
                r.SkipSpace();
            }

            list.Add((name, expression, at));
            if (r.Peek != ',')
            {
                return list;
            }

            r.Advance(1);
        }
    }

    private static RegexpStage ParseRegexp(ref QueryReader r)
    {
        r.SkipSpace();
        int at = r.Position;
        string pattern = ReadString(ref r, "regexp");
        var regex = QueryParser.Compile(RegexSyntax.FromGo(pattern), at, anchored: false);
        var names = regex.GetGroupNames().Where(n => !int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out _)).ToList();
        if (names.Count == 0)
        {
            throw new QueryParseException("regexp: at least one named capture must be supplied, such as (?P<name>…)", at);
        }

        if (names.FirstOrDefault(n => !LabelNames.IsValid(n)) is { } bad)
        {
            throw new QueryParseException($"regexp: invalid extracted label name '{bad}'", at);
        }

        return new RegexpStage(regex, names);
    }

    private static LabelFormatStage ParseLabelFormat(ref QueryReader r)
    {
        var formats = new List<(string, string?, GoTemplate?)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            r.SkipSpace();
            int at = r.Position;
            string name = r.ReadIdentifier();
            if (name.Length == 0)
            {
                throw r.Error("label_format: expected a label name");
            }

            if (!seen.Add(name))
            {
                throw new QueryParseException($"label_format: multiple label name '{name}' not allowed in a single format operation", at);
            }

            r.SkipSpace();
            if (!r.TryTake("=") || r.Peek is '=' or '~')
            {
                throw r.Error("label_format: expected '=' after the label name");
            }

            r.SkipSpace();
            if (r.Peek is '"' or '`')
            {
                formats.Add((name, null, ParseTemplate(ref r, "label_format")));
            }
            else
            {
                string source = r.ReadIdentifier();
                if (source.Length == 0)
                {
                    throw r.Error("label_format: expected a label name or a \"template\"");
                }

                formats.Add((name, source, null));
            }

            r.SkipSpace();
            if (r.Peek != ',')
            {
                return new LabelFormatStage(formats);
            }

            r.Advance(1);
        }
    }

    private static List<(string, StringLabelFilter?)> ParseNamedMatchers(ref QueryReader r, string stage)
    {
        var list = new List<(string, StringLabelFilter?)>();
        while (true)
        {
            r.SkipSpace();
            string name = r.ReadIdentifier();
            if (name.Length == 0)
            {
                throw r.Error($"{stage}: expected a label name");
            }

            r.SkipSpace();
            StringLabelFilter? matcher = null;
            if (r.Peek is '=' or '!')
            {
                matcher = ParseStringMatcher(ref r, name, stage) ?? throw r.Error($"{stage}: expected = != =~ or !~ and a \"value\"");
                r.SkipSpace();
            }

            list.Add((name, matcher));
            if (r.Peek != ',')
            {
                return list;
            }

            r.Advance(1);
        }
    }

    private static StringLabelFilter? ParseStringMatcher(ref QueryReader r, string name, string stage)
    {
        MatchOp op = r.TryTake("=~") ? MatchOp.Regex
            : r.TryTake("!~") ? MatchOp.NotRegex
            : r.TryTake("!=") ? MatchOp.NotEqual
            : r.Peek == '=' && r.PeekAt(1) != '=' && r.TryTake("=") ? MatchOp.Equal
            : (MatchOp)(-1);
        if ((int)op < 0)
        {
            return null;
        }

        r.SkipSpace();
        if (r.Peek is not ('"' or '`'))
        {
            return null;
        }

        int at = r.Position;
        string value = ReadString(ref r, stage);
        var regex = op is MatchOp.Regex or MatchOp.NotRegex ? QueryParser.Compile(value, at, anchored: true) : null;
        return new StringLabelFilter(name, op, value, regex);
    }

    private static LabelFilter ParseOr(ref QueryReader r)
    {
        var left = ParseAnd(ref r);
        while (true)
        {
            r.SkipSpace();
            if (!r.TryTakeWord("or"))
            {
                return left;
            }

            r.SkipSpace();
            left = new OrLabelFilter(left, ParseAnd(ref r));
        }
    }

    /// <summary><c>and</c>, <c>,</c> and two filters side by side all mean "and".</summary>
    private static LabelFilter ParseAnd(ref QueryReader r)
    {
        var left = ParsePrimary(ref r);
        while (true)
        {
            r.SkipSpace();
            if (r.TryTakeWord("and") || r.TryTake(","))
            {
                r.SkipSpace();
                left = new AndLabelFilter(left, ParsePrimary(ref r));
            }
            else if ((r.Peek == '(' || IsIdentifierStart(r.Peek)) && !AtWord(ref r, "or"))
            {
                left = new AndLabelFilter(left, ParsePrimary(ref r));
            }
            else
            {
                return left;
            }
        }
    }

    private static LabelFilter ParsePrimary(ref QueryReader r)
    {
        r.SkipSpace();
        if (r.Peek == '(')
        {
            int open = r.Position;
            r.Advance(1);
            var inner = ParseOr(ref r);
            r.SkipSpace();
            if (r.Peek != ')')
            {
                throw r.AtEnd ? new QueryParseException("label filter: '(' is not closed", open) : r.Error("label filter: expected ')'");
            }

            r.Advance(1);
            return inner;
        }

        int at = r.Position;
        string name = r.ReadIdentifier();
        if (name.Length == 0)
        {
            throw r.Error("label filter: expected a label name");
        }

        r.SkipSpace();
        int opAt = r.Position;
        if (ParseStringMatcher(ref r, name, "label filter") is { } matcher)
        {
            return matcher;
        }

        // A string operator without a string: = and != also compare numbers, durations and bytes.
        r = Rewind(r, opAt);
        CompareOp op = r.TryTake("==") ? CompareOp.Equal
            : r.TryTake("!=") ? CompareOp.NotEqual
            : r.TryTake(">=") ? CompareOp.GreaterOrEqual
            : r.TryTake("<=") ? CompareOp.LessOrEqual
            : r.TryTake(">") ? CompareOp.Greater
            : r.TryTake("<") ? CompareOp.Less
            : r.TryTake("=") ? CompareOp.Equal
            : r.TryTake("=~") || r.TryTake("!~") ? throw r.Error($"label filter: {name} =~ and !~ need a \"regex\"")
            : throw r.Error($"label filter: expected an operator after '{name}' (= != =~ !~ == > >= < <=)");
        r.SkipSpace();
        int ipAt = r.Position;
        if (r.TryTakeWord("ip"))
        {
            return IpFilter(ref r, name, op, opAt, ipAt);
        }

        int valueAt = r.Position;
        string value = r.ReadNumberWithUnit();
        if (value.Length == 0)
        {
            throw r.Error($"label filter: expected a number, duration (10s) or bytes (1KB) after '{name}'");
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) && !value.EndsWith('e'))
        {
            return new NumericLabelFilter(name, op, number);
        }

        if (GoDuration.TryParse(value, allowDays: true, out long ns))
        {
            return new DurationLabelFilter(name, op, ns);
        }

        if (IsBytesLiteral(value) && HumanBytes.TryParse(value, out ulong bytes, out _))
        {
            return new BytesLabelFilter(name, op, bytes);
        }

        throw new QueryParseException($"label filter: '{value}' is not a number, a duration (10s, 1h30m) or bytes (1KB, 5MiB)", valueAt);
    }

    /// <summary>
    /// <c>name = ip("…")</c> or <c>name != ip("…")</c>: the label's value holds an address in the pattern.
    /// </summary>
    private static IpLabelFilter IpFilter(ref QueryReader r, string name, CompareOp op, int opAt, int at)
    {
        if (op is not (CompareOp.Equal or CompareOp.NotEqual))
        {
            throw new QueryParseException($"label filter: ip: invalid operation: {name} compares with ip() by = or != only", opAt);
        }

        string address = ReadIpArgument(ref r);
        var matcher = IpMatcher.Create(address, out string? error)
            ?? throw new QueryParseException($"label filter: {error}", at);
        return new IpLabelFilter(name, op == CompareOp.Equal, matcher);
    }

    /// <summary>The units Loki's lexer reads as bytes: B, kB, KB, MB … PB, KiB … PiB.</summary>
    private static bool IsBytesLiteral(string value)
    {
        int digits = 0;
        while (digits < value.Length && (char.IsAsciiDigit(value[digits]) || value[digits] == '.'))
        {
            digits++;
        }

        return digits > 0 && value[digits..] is "B" or "kB" or "KB" or "MB" or "GB" or "TB" or "PB" or "KiB" or "MiB" or "GiB" or "TiB" or "PiB";
    }

    private static GoTemplate ParseTemplate(ref QueryReader r, string stage)
    {
        int at = r.Position;
        string text = ReadString(ref r, stage);
        try
        {
            return GoTemplate.Parse(text);
        }
        catch (TemplateException ex)
        {
            throw new QueryParseException($"{stage}: invalid template: {ex.Message}", at + 1 + ex.Offset);
        }
    }

    private static string ReadString(ref QueryReader r, string stage)
    {
        if (r.Peek is not ('"' or '`'))
        {
            throw r.Error($"{stage}: expected a quoted string (\"…\" or `…`)");
        }

        return r.ReadString();
    }

    private static QueryReader Rewind(QueryReader r, int position)
    {
        var copy = new QueryReader(r.Text, r.Comments);
        copy.Advance(position);
        return copy;
    }

    private static bool IsIdentifierStart(char c) => char.IsAsciiLetter(c) || c == '_';

    private static bool AtWord(ref QueryReader r, string word)
    {
        var probe = Rewind(r, r.Position);
        return probe.TryTakeWord(word);
    }

    private static bool AtCall(ref QueryReader r, string name)
    {
        var probe = Rewind(r, r.Position);
        if (!probe.TryTakeWord(name))
        {
            return false;
        }

        probe.SkipSpace();
        return probe.Peek == '(';
    }

    /// <summary>A parser's parameter list ends where the next stage or a keyword begins.</summary>
    private static bool AtKeyword(ref QueryReader r) => AtWord(ref r, "or") || AtWord(ref r, "and");
}
