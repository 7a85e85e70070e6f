using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using Collector.Storage;

namespace Collector.Search;

public enum MatchOp
{
    Equal,
    NotEqual,
    Regex,
    NotRegex,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// <summary>
/// <c>label op "value"</c>. A missing label has the value "" (as in Loki: <c>container!="x"</c> matches lines without
/// a container). Regexes are anchored at both ends, as Loki's label regexes are. Comparisons exist for severity only
/// and compare RFC 5424 codes: <c>severity&lt;="warning"</c> is warning or more severe (emerg is 0).
/// </summary>
public sealed class LabelMatcher
{
    private readonly byte[] _utf8;
    private readonly Regex? _regex;
    private readonly int _severity;

    public LabelMatcher(LogLabel label, MatchOp op, string value, Regex? regex)
    {
        Label = label;
        Op = op;
        Value = value;
        _regex = regex;
        _severity = label == LogLabel.Severity ? LogLabels.SeverityCode(value) : -1;

        // A severity given by alias or digit is stored under rsyslog's name ("error" is stored as "err").
        _utf8 = Encoding.UTF8.GetBytes(_severity >= 0 && op is MatchOp.Equal or MatchOp.NotEqual ? LogLabels.SeverityNames[_severity] : value);
    }

    public LogLabel Label { get; }

    public MatchOp Op { get; }

    public string Value { get; }

    /// <summary>Matches an (unescaped) label value.</summary>
    public bool Matches(ReadOnlySpan<byte> value) => Op switch
    {
        MatchOp.Equal => value.SequenceEqual(_utf8),
        MatchOp.NotEqual => !value.SequenceEqual(_utf8),
        MatchOp.Regex => RegexMatches(value),
        MatchOp.NotRegex => !RegexMatches(value),
        _ => Compare(LogLabels.SeverityCode(value)),
    };

    public bool Matches(string value) => Matches(Encoding.UTF8.GetBytes(value));

    private bool Compare(int code) => code >= 0 && Op switch
    {
        MatchOp.Less => code < _severity,
        MatchOp.LessOrEqual => code <= _severity,
        MatchOp.Greater => code > _severity,
        _ => code >= _severity,
    };

    private bool RegexMatches(ReadOnlySpan<byte> value)
    {
        char[]? rented = null;
        int max = Encoding.UTF8.GetMaxCharCount(value.Length);
        Span<char> chars = max <= 256 ? stackalloc char[256] : (rented = ArrayPool<char>.Shared.Rent(max));
        try
        {
            int n = Encoding.UTF8.GetChars(value, chars);
            return _regex!.IsMatch(chars[..n]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }
}
