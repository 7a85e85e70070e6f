using System.Globalization;

namespace Collector.Search.Metrics;

/// <summary>
/// LogQL metric expressions (Loki's pkg/logql/syntax, the subset listed in docs/loki-api.md): range functions over a
/// log
/// query, aggregations with <c>by</c>/<c>without</c>, <c>vector()</c>, numbers, <c>+ - * / %</c> with the usual
/// precedence and parentheses. The log query inside a range function is parsed by <see cref="QueryParser"/>. Errors
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
    };

    /// <summary>A metric query starts with anything but a stream selector.</summary>
    public static bool IsMetric(string? text) => text is not null && text.TrimStart() is { Length: > 0 } t && t[0] != '{';

    public static MetricNode Parse(string text)
    {
        if (text.Length > QueryParser.MaxQueryLength)
        {
            throw new QueryParseException($"the query is longer than {QueryParser.MaxQueryLength} characters", QueryParser.MaxQueryLength);
        }

        var parser = new Parser(text);
        var node = parser.Sum();
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

        public MetricNode Sum()
        {
            var left = Product();
            while (true)
            {
                SkipSpace();
                if (Peek is '+' or '-')
                {
                    char op = text[_pos++];
                    left = new BinaryNode(op, left, Product());
                }
                else
                {
                    return left;
                }
            }
        }

        public void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos]))
            {
                _pos++;
            }
        }

        public QueryParseException Error(string message, int? at = null) => new(message, at ?? _pos);

        private MetricNode Product()
        {
            var left = Unary();
            while (true)
            {
                SkipSpace();
                if (Peek is '*' or '/' or '%')
                {
                    char op = text[_pos++];
                    left = new BinaryNode(op, left, Unary());
                }
                else
                {
                    return left;
                }
            }
        }

        private MetricNode Unary()
        {
            SkipSpace();
            if (Peek == '-')
            {
                _pos++;
                return new BinaryNode('*', new ScalarNode(-1), Unary());
            }

            return Primary();
        }

        private MetricNode Primary()
        {
            SkipSpace();
            if (Peek == '(')
            {
                _pos++;
                var inner = Sum();
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
                return node;
            }

            if (Aggregations.TryGetValue(name, out var op))
            {
                var (labels, without) = Grouping();
                Expect('(');
                var inner = Sum();
                Expect(')');
                if (labels is null)
                {
                    (labels, without) = Grouping();
                }

                return new AggregateNode(op, inner, labels, without);
            }

            throw Error(
                $"unsupported function '{name}': supported are {string.Join(", ", RangeFunctions.Keys.Concat(Aggregations.Keys))} and vector",
                at);
        }

        private RangeNode Range(RangeFunction function, string name, int at)
        {
            SkipSpace();
            int start = _pos;
            int open = SelectorEnd();
            string logText = text[start..open];
            LogQuery query;
            try
            {
                query = QueryParser.ParseRange(logText);
            }
            catch (QueryParseException ex)
            {
                throw Error(ex.Reason, start + ex.Position);
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

            if (unwrapped && function is not (RangeFunction.Rate or >= RangeFunction.SumOverTime))
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
