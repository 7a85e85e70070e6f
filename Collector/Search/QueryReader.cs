using System.Text;

namespace Collector.Search;

/// <summary>
/// The cursor of <see cref="QueryParser"/> and the pipeline parser: LogQL's tokens read from a string, errors with
/// the character position. With <paramref name="comments"/> (LogQL, not Gravity's syntax), <c>#</c> outside a string
/// starts a comment to the end of the line, as in Loki's lexer.
/// </summary>
internal ref struct QueryReader(string text, bool comments = false)
{
    private readonly string _text = text;
    private int _pos;

    public readonly bool Comments => comments;

    public readonly int Position => _pos;

    public readonly bool AtEnd => _pos >= _text.Length;

    public readonly char Peek => _pos < _text.Length ? _text[_pos] : '\0';

    public readonly string Text => _text;

    public void Advance(int n) => _pos += n;

    public readonly char PeekAt(int offset) => _pos + offset < _text.Length ? _text[_pos + offset] : '\0';

    /// <summary>
    /// Takes a keyword only when no identifier character follows it (<c>or</c> but not <c>order</c>).
    /// </summary>
    public bool TryTakeWord(string word)
    {
        int end = _pos + word.Length;
        if (string.CompareOrdinal(_text, _pos, word, 0, word.Length) == 0
            && (end >= _text.Length || !(char.IsAsciiLetterOrDigit(_text[end]) || _text[end] == '_')))
        {
            _pos = end;
            return true;
        }

        return false;
    }

    /// <summary>
    /// A number with an optional unit (<c>500</c>, <c>1.5</c>, <c>-3</c>, <c>10s</c>, <c>1h30m</c>, <c>1KiB</c>).
    /// </summary>
    public string ReadNumberWithUnit()
    {
        int start = _pos;
        if (_pos < _text.Length && _text[_pos] is '-' or '+')
        {
            _pos++;
        }

        while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] is '.' or 'µ'
            || (_text[_pos] is '+' or '-' && _text[_pos - 1] is 'e' or 'E' && char.IsAsciiDigit(_text[start]))))
        {
            _pos++;
        }

        return _text[start.._pos];
    }

    public void SkipSpace()
    {
        while (_pos < _text.Length && (char.IsWhiteSpace(_text[_pos]) || (comments && _text[_pos] == '#')))
        {
            if (_text[_pos] == '#')
            {
                int newline = _text.IndexOf('\n', _pos);
                _pos = newline < 0 ? _text.Length : newline;
                continue;
            }

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
