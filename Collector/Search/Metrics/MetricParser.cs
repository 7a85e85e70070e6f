using System.Globalization;

namespace Collector.Search.Metrics;

/// <summary>
/// LogQL metric expressions (Loki's pkg/logql/syntax, the subset listed in docs/loki-api.md): range functions over a
/// log query, aggregations with <c>by</c>/<c>without</c>, <c>vector()</c>, numbers, binary operators with
/// PromQL's precedence (<c>or</c> &lt; <c>and unless</c> &lt; comparisons &lt; <c>+ -</c> &lt; <c>* / %</c> &lt;
/// <c>^</c>) and parentheses. The log query inside a range function is parsed by <see cref="QueryParser"/>. Errors
/// throw <see cref="QueryParseException"/> with the character position.
/// </summary>
public static class MetricParser
{
    private static readonly Dictionary<string, RangeFunction> RangeFunctions = new(StringComparer.Ordinal)
    {
        ["count_over_time"] = RangeFunction.CountOverTime,
        ["rate"] = RangeFunction.Rate,
        ["bytes_over_time"] = RangeFunction.BytesOverTime,
        ["bytes_rate"] = RangeFunction.BytesRate,
        ["absent_over_time"] = RangeFunction.AbsentOverTime,
        ["sum_over_time"] = RangeFunction.SumOverTime,
        ["avg_over_time"] = RangeFunction.AvgOverTime,
        ["min_over_time"] = RangeFunction.MinOverTime,
        ["max_over_time"] = RangeFunction.MaxOverTime,
        ["stddev_over_time"] = RangeFunction.StddevOverTime,
        ["stdvar_over_time"] = RangeFunction.StdvarOverTime,
        ["quantile_over_time"] = RangeFunction.QuantileOverTime,
        ["first_over_time"] = RangeFunction.FirstOverTime,
        ["last_over_time"] = RangeFunction.LastOverTime,
    };

    /// <summary>The functions of an unwrapped range (rate takes either).</summary>
    private static bool NeedsUnwrap(RangeFunction f) => f >= RangeFunction.SumOverTime;

    private static readonly Dictionary<string, AggregateOp> Aggregations = new(StringComparer.Ordinal)
    {
        ["sum"] = AggregateOp.Sum,
        ["count"] = AggregateOp.Count,
        ["min"] = AggregateOp.Min,
        ["max"] = AggregateOp.Max,
        ["avg"] = AggregateOp.Avg,
        ["stddev"] = AggregateOp.Stddev,
        ["stdvar"] = AggregateOp.Stdvar,
        ["topk"] = AggregateOp.TopK,
        ["bottomk"] = AggregateOp.BottomK,
        ["sort"] = AggregateOp.Sort,
        ["sort_desc"] = AggregateOp.SortDesc,
    };

    /// <summary>Loki's RangeAggregationExpr.validate: the range functions that take by/without.</summary>
    private static bool AllowsGrouping(RangeFunction f) => f is RangeFunction.AvgOverTime or RangeFunction.StddevOverTime
        or RangeFunction.StdvarOverTime or RangeFunction.QuantileOverTime or RangeFunction.MaxOverTime or RangeFunction.MinOverTime
        or RangeFunction.FirstOverTime or RangeFunction.LastOverTime;

    /// <summary>A metric query starts with anything but a stream selector.</summary>
    public static bool IsMetric(string? text) => text is not null && text.TrimStart() is { Length: > 0 } t && t[0] != '{';

    public static MetricNode Parse(string text)
    {
        if (text.Length > QueryParser.MaxQueryLength)
        {
            throw new QueryParseException($"the query is longer than {QueryParser.MaxQueryLength} characters", QueryParser.MaxQueryLength);
        }

        var parser = new Parser(text);
        var node = parser.Expression();
        parser.SkipSpace();
        if (!parser.AtEnd)
        {
            throw parser.Error($"unexpected '{parser.Peek}'");
        }

        return node;
    }

    private sealed class Parser(string text)
    {
        private int _pos;

        public bool AtEnd => _pos >= text.Length;

        public char Peek => _pos < text.Length ? text[_pos] : '\0';

        public MetricNode Expression() => Binary(0);

        /// <summary>PromQL's binary operators by precedence, lowest first; <c>^</c> is right-associative.</summary>
        private static readonly string[][] Levels =
        [
            ["or"],
            ["and", "unless"],
            ["==", "!=", ">=", "<=", ">", "<"],
            ["+", "-"],
            ["*", "/", "%"],
            ["^"],
        ];

        private MetricNode Binary(int level)
        {
            if (level == Levels.Length)
            {
                return Unary();
            }

            var left = Binary(level + 1);
            while (true)
            {
                SkipSpace();
                int at = _pos;
                if (TakeOperator(Levels[level]) is not { } op)
                {
                    return left;
                }

                bool returnBool = false;
                if (level == 2)
                {
                    SkipSpace();
                    returnBool = TakeWord("bool");
                }

                SkipSpace();
                if (Peek is 'o' or 'i' or 'g' && (PeekWord("on") || PeekWord("ignoring") || PeekWord("group_left") || PeekWord("group_right")))
                {
                    throw Error("vector matching (on, ignoring, group_left, group_right) is not supported");
                }

                // ^ is right-associative: 2 ^ 3 ^ 2 is 2 ^ 9.
                var right = op == "^" ? Binary(level) : Binary(level + 1);
                if (level <= 1 && (left is ScalarNode || right is ScalarNode))
                {
                    throw Error($"unexpected literal for {(left is ScalarNode ? "left" : "right")} leg of logical/set binary operation ({op})", at);
                }

                left = new BinaryNode(op, left, right) { ReturnBool = returnBool };
                if (op == "^")
                {
                    return left;
                }
            }
        }

        private string? TakeOperator(string[] operators)
        {
            foreach (string op in operators)
            {
                if (char.IsAsciiLetter(op[0]) ? TakeWord(op) : string.CompareOrdinal(text, _pos, op, 0, op.Length) == 0)
                {
                    if (!char.IsAsciiLetter(op[0]))
                    {
                        _pos += op.Length;
                    }

                    return op;
                }
            }

            return null;
        }

        private bool PeekWord(string word) =>
            string.CompareOrdinal(text, _pos, word, 0, word.Length) == 0 && !IsIdentifierChar(_pos + word.Length);

        private bool TakeWord(string word)
        {
            if (!PeekWord(word))
            {
                return false;
            }

            _pos += word.Length;
            return true;
        }

        public void SkipSpace()
        {
            while (_pos < text.Length && (char.IsWhiteSpace(text[_pos]) || text[_pos] == '#'))
            {
                _pos = text[_pos] == '#' ? LineEnd(_pos) : _pos + 1;
            }
        }

        private int LineEnd(int p)
        {
            int newline = text.IndexOf('\n', p);
            return newline < 0 ? text.Length : newline;
        }

        public QueryParseException Error(string message, int? at = null) => new(message, at ?? _pos);

        /// <summary>A sign belongs to a number only (Loki's literalExpr): <c>-vector(1)</c> is an error.</summary>
        private MetricNode Unary()
        {
            SkipSpace();
            if (Peek is '-' or '+')
            {
                bool negative = Peek == '-';
                _pos++;
                SkipSpace();
                if (!char.IsAsciiDigit(Peek) && Peek != '.')
                {
                    throw Error(AtEnd ? "unexpected end of query: expected a number after the sign" : "a sign must be followed by a number");
                }

                double value = Number();
                return new ScalarNode(negative ? -value : value);
            }

            return Primary();
        }

        private MetricNode Primary()
        {
            SkipSpace();
            if (Peek == '(')
            {
                _pos++;
                var inner = Expression();
                Expect(')');
                return inner;
            }

            if (char.IsAsciiDigit(Peek) || Peek == '.')
            {
                return new ScalarNode(Number());
            }

            int at = _pos;
            string name = Identifier();
            if (name.Length == 0)
            {
                throw Error(AtEnd ? "unexpected end of query: expected an expression" : $"unexpected '{Peek}': expected an expression");
            }

            if (name == "vector")
            {
                Expect('(');
                SkipSpace();
                bool negative = Peek == '-' && ++_pos > 0;
                double value = Number();
                Expect(')');
                return new VectorNode(negative ? -value : value);
            }

            if (RangeFunctions.TryGetValue(name, out var function))
            {
                Expect('(');
                double parameter = 0;
                if (function == RangeFunction.QuantileOverTime)
                {
                    SkipSpace();
                    bool negative = Peek == '-' && ++_pos > 0;
                    parameter = negative ? -Number() : Number();
                    Expect(',');
                }

                var node = Range(function, name, at) with { Parameter = parameter };
                Expect(')');
                var (groupLabels, groupWithout) = Grouping();
                if (groupLabels is not null && !AllowsGrouping(function))
                {
                    throw Error($"grouping not allowed for {name} aggregation", at);
                }

                return node with { GroupLabels = groupLabels, GroupWithout = groupWithout };
            }

            if (Aggregations.TryGetValue(name, out var op))
            {
                var (labels, without) = Grouping();
                Expect('(');
                int k = 0;
                if (op is AggregateOp.TopK or AggregateOp.BottomK)
                {
                    k = Parameter(name);
                }

                var inner = Expression();
                Expect(')');
                if (labels is null)
                {
                    (labels, without) = Grouping();
                }

                if (labels is not null && op is AggregateOp.Sort or AggregateOp.SortDesc)
                {
                    throw Error($"grouping not allowed for {name} aggregation", at);
                }

                return new AggregateNode(op, inner, labels, without) { Parameter = k };
            }

            throw Error(
                $"unsupported function '{name}': supported are {string.Join(", ", RangeFunctions.Keys.Concat(Aggregations.Keys))} and vector",
                at);
        }

        /// <summary>
        /// topk's and bottomk's k: an integer above 0, then a comma (Loki's mustNewVectorAggregationExpr).
        /// </summary>
        private int Parameter(string name)
        {
            SkipSpace();
            int start = _pos;
            if (!char.IsAsciiDigit(Peek) && Peek is not ('-' or '+' or '.'))
            {
                throw Error($"parameter required for operation {name}");
            }

            _pos++;
            while (_pos < text.Length && (char.IsAsciiDigit(text[_pos]) || text[_pos] == '.'))
            {
                _pos++;
            }

            string value = text[start.._pos];
            if (!int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int k))
            {
                throw Error($"invalid parameter {name}({value},", start);
            }

            if (k <= 0)
            {
                throw Error($"invalid parameter (must be greater than 0) {name}({value}", start);
            }

            Expect(',');
            return k;
        }

        private RangeNode Range(RangeFunction function, string name, int at)
        {
            SkipSpace();
            int start = _pos;
            int open = SelectorEnd();
            string logText = text[start..open];

            // Loki allows the log query in parentheses: rate(({app="x"} | json)[1m]).
            int inner = start;
            string trimmed = logText.TrimEnd();
            if (logText.StartsWith('(') && trimmed.EndsWith(')'))
            {
                inner = start + 1;
                logText = trimmed[1..^1];
            }

            LogQuery query;
            try
            {
                query = QueryParser.ParseRange(logText);
            }
            catch (QueryParseException ex)
            {
                throw Error(ex.Reason, inner + ex.Position);
            }

            if (query.Text.Trim().Length == 0)
            {
                throw Error("expected a log query such as {namespace=\"web\"} before the range", start);
            }

            bool unwrapped = query.Pipeline?.Unwrap is not null;
            if (NeedsUnwrap(function) && !unwrapped)
            {
                throw Error($"invalid aggregation {name} without unwrap: add | unwrap label before the range", at);
            }

            if (unwrapped && function is not (RangeFunction.Rate or RangeFunction.AbsentOverTime or >= RangeFunction.SumOverTime))
            {
                throw Error($"invalid aggregation {name} with unwrap", at);
            }

            _pos = open + 1;
            long range = Duration(']');
            Expect(']');
            SkipSpace();
            long offset = 0;
            if (string.CompareOrdinal(text, _pos, "offset", 0, 6) == 0)
            {
                _pos += 6;
                SkipSpace();
                offset = Duration(')');
            }

            return new RangeNode(function, query, range, offset);
        }

        /// <summary>The first '[' outside strings and braces: where the log query ends and its range begins.</summary>
        private int SelectorEnd()
        {
            int p = _pos;
            int depth = 0;
            int parentheses = 0;
            while (p < text.Length)
            {
                char c = text[p];
                if (c is '"' or '`')
                {
                    p++;
                    while (p < text.Length && text[p] != c)
                    {
                        p += c == '"' && text[p] == '\\' ? 2 : 1;
                    }
                }
                else if (c == '#')
                {
                    p = LineEnd(p);
                    continue;
                }
                else if (c == '{')
                {
                    depth++;
                }
                else if (c == '}')
                {
                    depth--;
                }
                else if (c == '[' && depth == 0)
                {
                    return p;
                }
                else if (c == '(' && depth == 0)
                {
                    // A label filter's parentheses: | (status >= 500 or level="error").
                    parentheses++;
                }
                else if (c == ')' && depth == 0)
                {
                    if (parentheses == 0)
                    {
                        break;
                    }

                    parentheses--;
                }

                p++;
            }

            throw Error("expected a range such as [5m] after the log query", Math.Min(p, text.Length));
        }

        private long Duration(char until)
        {
            SkipSpace();
            int start = _pos;
            while (_pos < text.Length && char.IsAsciiLetterOrDigit(text[_pos]))
            {
                _pos++;
            }

            string value = text[start.._pos];
            SkipSpace();
            if (!PromDuration.TryParse(value, out long ns) || ns <= 0)
            {
                throw Error($"expected a duration such as 5m before '{until}', was '{value}'", start);
            }

            return ns;
        }

        private (IReadOnlyList<string>? Labels, bool Without) Grouping()
        {
            SkipSpace();
            bool without;
            if (string.CompareOrdinal(text, _pos, "by", 0, 2) == 0 && !IsIdentifierChar(_pos + 2))
            {
                without = false;
                _pos += 2;
            }
            else if (string.CompareOrdinal(text, _pos, "without", 0, 7) == 0 && !IsIdentifierChar(_pos + 7))
            {
                without = true;
                _pos += 7;
            }
            else
            {
                return (null, false);
            }

            Expect('(');
            var labels = new List<string>();
            SkipSpace();
            while (Peek != ')')
            {
                string label = Identifier();
                if (label.Length == 0)
                {
                    throw Error("expected a label name or ')'");
                }

                labels.Add(label);
                SkipSpace();
                if (Peek == ',')
                {
                    _pos++;
                    SkipSpace();
                }
                else if (Peek != ')')
                {
                    throw Error("expected ',' or ')' in the label list");
                }
            }

            _pos++;
            return (labels, without);
        }

        private bool IsIdentifierChar(int p) => p < text.Length && (char.IsAsciiLetterOrDigit(text[p]) || text[p] == '_');

        private string Identifier()
        {
            SkipSpace();
            int start = _pos;
            while (IsIdentifierChar(_pos) && (_pos > start || !char.IsAsciiDigit(text[_pos])))
            {
                _pos++;
            }

            return text[start.._pos];
        }

        private double Number()
        {
            SkipSpace();
            int start = _pos;
            while (_pos < text.Length && (char.IsAsciiDigit(text[_pos]) || text[_pos] is '.' or 'e' or 'E'
                || (text[_pos] is '+' or '-' && _pos > start && text[_pos - 1] is 'e' or 'E')))
            {
                _pos++;
            }

            return double.TryParse(text.AsSpan(start, _pos - start), NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
                ? value
                : throw Error("expected a number", start);
        }

        private void Expect(char c)
        {
            SkipSpace();
            if (Peek != c)
            {
                throw Error(AtEnd ? $"unexpected end of query: expected '{c}'" : $"unexpected '{Peek}': expected '{c}'");
            }

            _pos++;
        }
    }
}
