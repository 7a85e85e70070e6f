using System.Text;

namespace Collector.Search.Pipeline;

/// <summary>
/// A port of Loki's logfmt decoder (pkg/logql/log/logfmt/decode.go): <c>ScanKeyval</c> finds the next
/// <c>key=value</c>, <c>key="quoted value"</c> or bare <c>key</c>; the first syntax error is kept with its 1-based
/// position.
/// </summary>
internal ref struct LogfmtDecoder(ReadOnlySpan<byte> line)
{
    private readonly ReadOnlySpan<byte> _line = line;
    private int _pos;

    public ReadOnlySpan<byte> Key { get; private set; }

    /// <summary>The value; null for a bare key or <c>key=</c>.</summary>
    public string? Value { get; private set; }

    public string? Error { get; private set; }

    public readonly bool AtEnd => _pos >= _line.Length;

    public bool ScanKeyval()
    {
        Key = default;
        Value = null;
        while (_pos < _line.Length && _line[_pos] <= ' ')
        {
            _pos++;
        }

        if (_pos >= _line.Length)
        {
            return false;
        }

        int start = _pos;
        while (_pos < _line.Length)
        {
            byte c = _line[_pos];
            if (c == '=')
            {
                if (_pos == start)
                {
                    Unexpected(c);
                    return SkipValue();
                }

                Key = _line[start.._pos];
                if (!ValidKey())
                {
                    return SkipValue();
                }

                return Equal();
            }

            if (c == '"')
            {
                Unexpected(c);
                return SkipValue();
            }

            if (c <= ' ')
            {
                Key = _line[start.._pos];
                return ValidKey();
            }

            _pos++;
        }

        Key = _line[start.._pos];
        return ValidKey();
    }

    private bool ValidKey()
    {
        if (Key.IndexOfAnyInRange((byte)0x80, (byte)0xFF) >= 0 && Encoding.UTF8.GetString(Key).Contains('\uFFFD', StringComparison.Ordinal))
        {
            SyntaxError("invalid key");
            return false;
        }

        return true;
    }

    private bool Equal()
    {
        _pos++;
        if (_pos >= _line.Length || _line[_pos] <= ' ')
        {
            return true;
        }

        if (_line[_pos] == '"')
        {
            return QuotedValue();
        }

        int start = _pos;
        while (_pos < _line.Length)
        {
            byte c = _line[_pos];
            if (c is (byte)'=' or (byte)'"')
            {
                Unexpected(c);
                return SkipValue();
            }

            if (c <= ' ')
            {
                break;
            }

            _pos++;
        }

        if (_pos > start)
        {
            Value = Encoding.UTF8.GetString(_line[start.._pos]);
        }

        return true;
    }

    private bool QuotedValue()
    {
        int start = _pos;
        bool escaped = false, hasEscape = false;
        for (int p = _pos + 1; p < _line.Length; p++)
        {
            byte c = _line[p];
            if (escaped)
            {
                escaped = false;
            }
            else if (c == '\\')
            {
                hasEscape = escaped = true;
            }
            else if (c == '"')
            {
                _pos = p + 1;
                var inner = _line[(start + 1)..p];
                if (!hasEscape)
                {
                    Value = inner.IsEmpty ? null : Encoding.UTF8.GetString(inner);
                    return true;
                }

                if (!TryUnquote(inner, out string value))
                {
                    SyntaxError("invalid quoted value");
                    return false;
                }

                Value = value;
                return true;
            }
        }

        _pos = _line.Length;
        SyntaxError("unterminated quoted value");
        return false;
    }

    private bool SkipValue()
    {
        while (_pos < _line.Length && _line[_pos] > ' ')
        {
            _pos++;
        }

        return false;
    }

    private void Unexpected(byte c) => SetError($"unexpected '{(char)c}'");

    private void SyntaxError(string message) => SetError(message);

    private void SetError(string message) => Error = $"logfmt syntax error at pos {_pos + 1} : {message}";

    /// <summary>JSON-style escapes, as the decoder's <c>unquoteBytes</c> reads them.</summary>
    private static bool TryUnquote(ReadOnlySpan<byte> inner, out string value)
    {
        var text = Encoding.UTF8.GetString(inner);
        var builder = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c != '\\')
            {
                builder.Append(c);
                continue;
            }

            if (++i >= text.Length)
            {
                value = string.Empty;
                return false;
            }

            switch (text[i])
            {
                case '"' or '\\' or '/' or '\'':
                    builder.Append(text[i]);
                    break;
                case 'b':
                    builder.Append('\b');
                    break;
                case 'f':
                    builder.Append('\f');
                    break;
                case 'n':
                    builder.Append('\n');
                    break;
                case 'r':
                    builder.Append('\r');
                    break;
                case 't':
                    builder.Append('\t');
                    break;
                case 'u' when i + 4 < text.Length
                    && ushort.TryParse(text.AsSpan(i + 1, 4), System.Globalization.NumberStyles.HexNumber, null, out ushort code):
                    builder.Append((char)code);
                    i += 4;
                    break;
                default:
                    value = string.Empty;
                    return false;
            }
        }

        value = builder.ToString();
        return true;
    }
}
