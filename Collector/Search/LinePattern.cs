using System.Text;
using Collector.Search.Pipeline;

namespace Collector.Search;

/// <summary>
/// The pattern of a <c>|&gt; "…"</c> / <c>!&gt; "…"</c> line filter (Loki's pkg/logql/log/pattern,
/// <c>ParseLineFilter</c> and <c>Matcher.Test</c>): literal text and <c>&lt;_&gt;</c> wildcards, named captures
/// refused. Each literal is searched for after the previous one; a literal after a wildcard must not follow it
/// directly (a wildcard matches at least one character), a pattern ending in a literal must end the line and one
/// ending in a wildcard must leave text for it. An empty pattern matches only an empty line.
/// </summary>
public sealed class LinePattern
{
    private readonly byte[][] _utf8;
    private readonly char[][] _chars;
    private readonly bool[] _isLiteral;

    private LinePattern(List<(bool Capture, string Text)> parts)
    {
        _isLiteral = parts.Select(p => !p.Capture).ToArray();
        string[] literals = parts.Select(p => p.Capture ? string.Empty : p.Text).ToArray();
        _utf8 = literals.Select(Encoding.UTF8.GetBytes).ToArray();
        _chars = literals.Select(l => l.ToCharArray()).ToArray();
    }

    /// <summary>The pattern, or null with <paramref name="error"/> saying why it is not a line filter's.</summary>
    public static LinePattern? Create(string pattern, out string? error)
    {
        var parts = PatternStage.Split(pattern);
        error = null;
        var named = parts.FirstOrDefault(p => p.Capture && p.Text != "_");
        if (named.Capture)
        {
            error = $"named captures are not allowed: found '<{named.Text}>'";
            return null;
        }

        if (parts.Zip(parts.Skip(1)).Any(p => p.First.Capture && p.Second.Capture))
        {
            error = "found consecutive capture '<_><_>': invalid expression";
            return null;
        }

        return new LinePattern(parts);
    }

    public bool Test(ReadOnlySpan<byte> line) => Test(line, _utf8);

    public bool Test(string line) => Test(line.AsSpan(), _chars);

    private bool Test<T>(ReadOnlySpan<T> line, T[][] literals)
        where T : IEquatable<T>
    {
        if (line.Length == 0 || _isLiteral.Length == 0)
        {
            return line.Length == 0 && _isLiteral.Length == 0;
        }

        int offset = 0;
        for (int i = 0; i < _isLiteral.Length; i++)
        {
            if (!_isLiteral[i])
            {
                continue;
            }

            int j = line[offset..].IndexOf(literals[i]);
            if (j < 0 || (i != 0 && j == 0))
            {
                // Loki: a literal right where the previous part ended means an empty wildcard or a repeat.
                return false;
            }

            offset += j + literals[i].Length;
        }

        bool endsOnWildcard = !_isLiteral[^1];
        return endsOnWildcard == (offset != line.Length);
    }
}
