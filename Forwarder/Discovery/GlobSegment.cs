namespace Forwarder.Discovery;

/// <summary>
/// One path segment of a glob (no '/', braces already expanded): a literal name, a wildcard name
/// (<c>*</c>, <c>?</c>, <c>[...]</c>) or <c>**</c>, which stands for any number of directories.
/// </summary>
internal sealed class GlobSegment
{
    public static readonly GlobSegment AnyDepth = new("**", isLiteral: false, isAnyDepth: true);

    private readonly bool _isLiteral;

    private GlobSegment(string text, bool isLiteral, bool isAnyDepth)
    {
        Text = text;
        _isLiteral = isLiteral;
        IsAnyDepth = isAnyDepth;
    }

    public string Text { get; }

    public bool IsAnyDepth { get; }

    public bool IsLiteral => _isLiteral;

    /// <summary>
    /// A validated segment: classes are closed and <c>**</c> only stands alone (see <see cref="GlobParser"/>).
    /// </summary>
    public static GlobSegment Create(string text) =>
        text == "**" ? AnyDepth : new GlobSegment(text, isLiteral: text.AsSpan().IndexOfAny("*?[") < 0, isAnyDepth: false);

    public bool IsMatch(ReadOnlySpan<char> name)
    {
        if (IsAnyDepth)
        {
            return true;
        }

        return _isLiteral ? name.SequenceEqual(Text) : IsWildcardMatch(Text, name);
    }

    /// <summary>
    /// The index of the ']' closing the class opened at <paramref name="open"/>, or -1. A ']' right after '[' or '[!'
    /// is a member, as in POSIX fnmatch, so <c>[]]</c> matches ']'.
    /// </summary>
    public static int ClassEnd(ReadOnlySpan<char> pattern, int open)
    {
        int i = open + 1;
        if (i < pattern.Length && pattern[i] is '!' or '^')
        {
            i++;
        }

        if (i < pattern.Length && pattern[i] == ']')
        {
            i++;
        }

        int close = i < pattern.Length ? pattern[i..].IndexOf(']') : -1;
        return close < 0 ? -1 : i + close;
    }

    // Iterative matching with one backtrack point: on a mismatch, the last '*' takes one more character. Enough for
    // '*' because it never crosses a segment, so no pattern here needs more than linear backtracking per star.
    private static bool IsWildcardMatch(ReadOnlySpan<char> pattern, ReadOnlySpan<char> name)
    {
        int p = 0;
        int n = 0;
        int starPattern = -1;
        int starName = 0;
        while (n < name.Length)
        {
            if (p < pattern.Length)
            {
                char c = pattern[p];
                if (c == '*')
                {
                    starPattern = ++p;
                    starName = n;
                    continue;
                }

                if (c == '?')
                {
                    p++;
                    n++;
                    continue;
                }

                if (c == '[')
                {
                    int close = ClassEnd(pattern, p);
                    if (IsClassMatch(pattern[(p + 1)..close], name[n]))
                    {
                        p = close + 1;
                        n++;
                        continue;
                    }
                }
                else if (c == name[n])
                {
                    p++;
                    n++;
                    continue;
                }
            }

            if (starPattern < 0)
            {
                return false;
            }

            p = starPattern;
            n = ++starName;
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    /// <summary>
    /// <paramref name="members"/> is the text between '[' and ']': an optional '!' or '^', chars and ranges.
    /// </summary>
    private static bool IsClassMatch(ReadOnlySpan<char> members, char c)
    {
        bool negated = members.Length > 0 && members[0] is '!' or '^';
        int i = negated ? 1 : 0;
        bool matched = false;
        while (i < members.Length)
        {
            // A '-' first or last is a member itself, as in POSIX.
            if (i + 2 < members.Length && members[i + 1] == '-')
            {
                matched |= c >= members[i] && c <= members[i + 2];
                i += 3;
            }
            else
            {
                matched |= c == members[i];
                i++;
            }
        }

        return matched != negated;
    }
}
