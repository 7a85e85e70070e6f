using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace Collector.Search;

public enum FilterOp
{
    Contains,
    NotContains,
    Regex,
    NotRegex,
    Pattern,
    NotPattern,
    Ip,
    NotIp,
}

/// <summary>
/// A line filter applied to the whole stored line, as grep sees it: <c>|= "text"</c>, <c>!= "text"</c> (byte-wise,
/// case-sensitive), <c>|~ "regex"</c>, <c>!~ "regex"</c> (unanchored, NonBacktracking with a match timeout),
/// <c>|&gt; "pattern"</c>, <c>!&gt; "pattern"</c> (<see cref="LinePattern"/>), <c>|= ip("…")</c>, <c>!= ip("…")</c>
/// (<see cref="IpMatcher"/>: an address in the line within the pattern). <c>|= "a" or "b"</c> is one positive filter
/// with <see cref="Alternatives"/>: it matches when any of them does (Loki's <c>newOrLineFilterExpr</c>; a negative
/// filter with <c>or</c> is parsed as one filter per value instead).
/// </summary>
public sealed class LineFilter(
    FilterOp op, string text, Regex? regex, IReadOnlyList<LineFilter>? alternatives = null, LinePattern? pattern = null,
    IpMatcher? ip = null)
{
    public FilterOp Op => op;

    public string Text => text;

    public Regex? Regex => regex;

    public LinePattern? Pattern => pattern;

    public IpMatcher? Ip => ip;

    public byte[] Utf8 { get; } = Encoding.UTF8.GetBytes(text);

    /// <summary>More values of the same positive operator, or-ed with this one; empty for most filters.</summary>
    public IReadOnlyList<LineFilter> Alternatives => alternatives ?? [];

    public bool Matches(ReadOnlySpan<byte> line)
    {
        if (MatchesOne(line))
        {
            return true;
        }

        if (alternatives is not null)
        {
            foreach (var alternative in alternatives)
            {
                if (alternative.MatchesOne(line))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The same test on a line a pipeline stage produced.</summary>
    public bool Matches(string line)
    {
        if (MatchesOne(line))
        {
            return true;
        }

        return alternatives is not null && alternatives.Any(a => a.MatchesOne(line));
    }

    private bool MatchesOne(string line) => op switch
    {
        FilterOp.Contains => line.Contains(text, StringComparison.Ordinal),
        FilterOp.NotContains => !line.Contains(text, StringComparison.Ordinal),
        FilterOp.Regex => regex!.IsMatch(line),
        FilterOp.NotRegex => !regex!.IsMatch(line),
        FilterOp.Pattern => pattern!.Test(line),
        FilterOp.NotPattern => !pattern!.Test(line),
        FilterOp.Ip => ip!.MatchesIn(line),
        _ => !ip!.MatchesIn(line),
    };

    private bool MatchesOne(ReadOnlySpan<byte> line) => op switch
    {
        FilterOp.Contains => line.IndexOf(Utf8) >= 0,
        FilterOp.NotContains => line.IndexOf(Utf8) < 0,
        FilterOp.Regex => RegexMatches(line),
        FilterOp.NotRegex => !RegexMatches(line),
        FilterOp.Pattern => pattern!.Test(line),
        FilterOp.NotPattern => !pattern!.Test(line),
        FilterOp.Ip => ip!.MatchesIn(line),
        _ => !ip!.MatchesIn(line),
    };

    private bool RegexMatches(ReadOnlySpan<byte> line)
    {
        char[] chars = ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(line.Length));
        try
        {
            int n = Encoding.UTF8.GetChars(line, chars);
            return regex!.IsMatch(chars.AsSpan(0, n));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }
}
