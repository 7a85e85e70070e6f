using System.Text;
using System.Text.RegularExpressions;
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

    private static readonly string LabelList = string.Join(", ", LogLabels.Names);

    public static LogQuery Parse(string? text, bool gravity = false)
    {
        text ??= string.Empty;
        if (text.Length > MaxQueryLength)
        {
            throw new QueryParseException($"the query is longer than {MaxQueryLength} characters", MaxQueryLength);
        }

        var reader = new Reader(text);
        reader.SkipSpace();
        if (reader.AtEnd)
        {
            return new LogQuery(text, LogQuery.All.Terms);
        }

        if (gravity && reader.Peek != '{')
        {
            return new LogQuery(text, ParseGravity(ref reader));
        }

        return new LogQuery(text, [ParseLogQl(ref reader)]);
    }

    private static QueryTerm ParseLogQl(ref Reader r)
    {
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

            FilterOp op = r.TryTake("|=") ? FilterOp.Contains
                : r.TryTake("!=") ? FilterOp.NotContains
                : r.TryTake("|~") ? FilterOp.Regex
                : r.TryTake("!~") ? FilterOp.NotRegex
                : r.Peek == '|' ? throw r.Error("only line filters (|= != |~ !~) are supported after the selector, not pipeline stages")
                : throw r.Error("expected a line filter: |= \"text\", != \"text\", |~ \"regex\" or !~ \"regex\"");
            r.SkipSpace();
            int valueAt = r.Position;
            string value = r.ReadString();
            Regex? regex = op is FilterOp.Regex or FilterOp.NotRegex ? Compile(value, valueAt, anchored: false) : null;
            filters.Add(new LineFilter(op, value, regex));
        }

        return new QueryTerm(matchers, filters);
    }

    private static LabelMatcher ParseMatcher(ref Reader r)
    {
        int nameAt = r.Position;
        string name = r.ReadIdentifier();
        if (name.Length == 0)
        {
            throw r.Error(r.AtEnd ? "the selector is not closed: expected a label name or '}'" : "expected a label name");
        }

        if (!LogLabels.TryParse(name, out var label))
        {
            throw new QueryParseException($"unknown label '{name}': the labels are {LabelList}", nameAt);
        }

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
            if (label != LogLabel.Severity)
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

        return new LabelMatcher(label, op, value, regex);
    }

    /// <summary>
    /// Gravity: <c>term (and|or)? term …</c>, <c>and</c> binding tighter than <c>or</c>; a term is
    /// <c>key:value</c> or text.
    /// </summary>
    private static List<QueryTerm> ParseGravity(ref Reader r)
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

    private static Regex Compile(string pattern, int position, bool anchored)
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

    private ref struct Reader(string text)
    {
        private readonly string _text = text;
        private int _pos;

        public readonly int Position => _pos;

        public readonly bool AtEnd => _pos >= _text.Length;

        public readonly char Peek => _pos < _text.Length ? _text[_pos] : '\0';

        public void Advance(int n) => _pos += n;

        public void SkipSpace()
        {
            while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos]))
            {
                _pos++;
            }
        }

        public bool TryTake(string token)
        {
            if (string.CompareOrdinal(_text, _pos, token, 0, token.Length) == 0)
            {
                _pos += token.Length;
                return true;
            }

            return false;
        }

        public string ReadIdentifier()
        {
            int start = _pos;
            while (_pos < _text.Length
                && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] == '_')
                && (_pos > start || !char.IsAsciiDigit(_text[_pos])))
            {
                _pos++;
            }

            return _text[start.._pos];
        }

        public readonly string PeekWord()
        {
            int end = _pos;
            while (end < _text.Length && !char.IsWhiteSpace(_text[end]))
            {
                end++;
            }

            return _text[_pos..end];
        }

        /// <summary>A bare word: up to white space, or up to a quote right after <c>key:</c>.</summary>
        public string ReadWord()
        {
            int start = _pos;
            while (_pos < _text.Length && !char.IsWhiteSpace(_text[_pos]) && !(_text[_pos] is '"' or '`' && _pos > start && _text[_pos - 1] == ':'))
            {
                _pos++;
            }

            return _text[start.._pos];
        }

        /// <summary>A double-quoted string with Go escapes, or a backtick raw string.</summary>
        public string ReadString()
        {
            int start = _pos;
            char quote = Peek;
            if (quote is not ('"' or '`'))
            {
                throw Error("expected a quoted string (\"…\" or `…`)");
            }

            _pos++;
            var value = new StringBuilder();
            while (true)
            {
                if (_pos >= _text.Length)
                {
                    throw new QueryParseException("the string is not closed", start);
                }

                char c = _text[_pos++];
                if (c == quote)
                {
                    return value.ToString();
                }

                if (c == '\\' && quote == '"')
                {
                    if (_pos >= _text.Length)
                    {
                        throw new QueryParseException("the string is not closed", start);
                    }

                    ReadEscape(value);
                    continue;
                }

                value.Append(c);
            }
        }

        /// <summary>
        /// Go's escapes (LogQL strings are Go strings): <c>\a \b \f \n \r \t \v \\ \" \'</c>, <c>\ooo</c>, <c>\xhh</c>,
        /// <c>\uhhhh</c>, <c>\Uhhhhhhhh</c>. Octal and hex give one byte in Go; here only ASCII ones, so the text
        /// stays UTF-8.
        /// </summary>
        private void ReadEscape(StringBuilder value)
        {
            int at = _pos - 1;
            char e = _text[_pos++];
            char? simple = e switch
            {
                'a' => '\a',
                'b' => '\b',
                'f' => '\f',
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                'v' => '\v',
                '"' or '\\' or '\'' => e,
                _ => null,
            };
            if (simple is { } c)
            {
                value.Append(c);
                return;
            }

            (int digits, int radix) = e switch
            {
                'x' => (2, 16),
                'u' => (4, 16),
                'U' => (8, 16),
                >= '0' and <= '7' => (3, 8),
                _ => throw new QueryParseException($"unknown escape '\\{e}' (use \\\\ for a backslash, or a `raw string`)", at),
            };
            if (radix == 8)
            {
                _pos--;
            }

            int code = 0;
            for (int i = 0; i < digits; i++)
            {
                int digit = _pos < _text.Length ? HexDigit(_text[_pos]) : -1;
                if (digit < 0 || digit >= radix)
                {
                    throw new QueryParseException($"escape '\\{e}' needs {digits} {(radix == 8 ? "octal" : "hex")} digits", at);
                }

                code = (code * radix) + digit;
                _pos++;
            }

            if (e is 'x' or (>= '0' and <= '7') ? code > 0x7F : code > 0x10FFFF || code is >= 0xD800 and <= 0xDFFF)
            {
                throw new QueryParseException(
                    e is 'u' or 'U'
                        ? $"escape '\\{e}' is not a Unicode character"
                        : $"escape '\\{e}' above \\x7f: write the character or use \\u",
                    at);
            }

            value.Append(char.ConvertFromUtf32(code));
        }

        private static int HexDigit(char c) => !char.IsAsciiHexDigit(c) ? -1 : c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

        public readonly QueryParseException Error(string message) =>
            new(AtEnd ? $"{message}, found the end of the query" : $"{message}, found '{_text[_pos]}'", _pos);
    }
}
