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
/// <c>label op "value"</c>, on a fixed label or a pod label. A missing label has the value "" (as in Loki:
/// <c>container!="x"</c> matches lines without a container). Regexes are anchored at both ends, as Loki's label
/// regexes are. Comparisons exist for severity only and compare RFC 5424 codes: <c>severity&lt;="warning"</c> is
/// warning or more severe (emerg is 0).
/// </summary>
public sealed class LabelMatcher
{
    private readonly byte[] _utf8;
    private readonly Regex? _regex;
    private readonly int _severity;
    private readonly byte[] _podLabel = [];

    public LabelMatcher(LogLabel label, MatchOp op, string value, Regex? regex)
        : this(label, LogLabels.Names[(int)label], op, value, regex)
    {
    }

    /// <summary>
    /// A matcher on the label called <paramref name="name"/>: a fixed label, else the pod label of that name
    /// (<see cref="PodLabelName"/>; a name no line has matches as a missing label does, by "").
    /// </summary>
    public LabelMatcher(string name, MatchOp op, string value, Regex? regex)
        : this(LogLabels.TryParse(name, out var label) ? label : LogLabel.PodLabel, name, op, value, regex)
    {
    }

    private LabelMatcher(LogLabel label, string name, MatchOp op, string value, Regex? regex)
    {
        Label = label;
        Name = name;
        Op = op;
        Value = value;
        _regex = regex;
        _severity = label == LogLabel.Severity ? LogLabels.SeverityCode(value) : -1;
        if (label == LogLabel.PodLabel)
        {
            _podLabel = Encoding.UTF8.GetBytes(name);
        }

        // A severity given by alias or digit is stored under rsyslog's name ("error" is stored as "err").
        _utf8 = Encoding.UTF8.GetBytes(_severity >= 0 && op is MatchOp.Equal or MatchOp.NotEqual ? LogLabels.SeverityNames[_severity] : value);
    }

    /// <summary>The fixed label, or <see cref="LogLabel.PodLabel"/> for a pod label named <see cref="Name"/>.</summary>
    public LogLabel Label { get; }

    /// <summary>The label's name in the query language.</summary>
    public string Name { get; }

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

    /// <summary>Matches the line's value of the label.</summary>
    public bool Matches(in StoredLine parsed)
    {
        Span<byte> scratch = stackalloc byte[512];
        var value = Label == LogLabel.PodLabel ? parsed.PodLabel(_podLabel, scratch, out byte[]? rented) : parsed.Label(Label, scratch, out rented);
        bool ok = Matches(value);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return ok;
    }

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
