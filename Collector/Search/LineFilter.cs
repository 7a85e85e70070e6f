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
}

/// <summary>
/// A line filter applied to the whole stored line, as grep sees it: <c>|= "text"</c>, <c>!= "text"</c> (byte-wise,
/// case-sensitive), <c>|~ "regex"</c>, <c>!~ "regex"</c> (unanchored, NonBacktracking with a match timeout).
/// </summary>
public sealed class LineFilter(FilterOp op, string text, Regex? regex)
{
    public FilterOp Op => op;

    public string Text => text;

    public byte[] Utf8 { get; } = Encoding.UTF8.GetBytes(text);

    public bool Matches(ReadOnlySpan<byte> line) => op switch
    {
        FilterOp.Contains => line.IndexOf(Utf8) >= 0,
        FilterOp.NotContains => line.IndexOf(Utf8) < 0,
        FilterOp.Regex => RegexMatches(line),
        _ => !RegexMatches(line),
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
