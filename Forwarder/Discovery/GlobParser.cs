namespace Forwarder.Discovery;

/// <summary>
/// Turns a pattern into alternatives of segments: braces are expanded first (they may span '/', as in
/// <c>/var/log/{containers,pods/**}/*.log</c>), then each alternative is split at '/' and each segment checked.
/// </summary>
internal static class GlobParser
{
    /// <summary>Bits of a ulong hold the match states, one per segment plus one for "matched".</summary>
    public const int MaxSegments = 63;

    public const int MaxAlternatives = 256;

    public static GlobSegment[][] Parse(string pattern)
    {
        if (string.IsNullOrWhiteSpace(pattern))
        {
            throw Invalid(pattern ?? string.Empty, "is empty");
        }

        if (pattern[0] != '/')
        {
            throw Invalid(pattern, "is relative; only absolute patterns (starting with '/') are supported");
        }

        if (pattern[^1] == '/')
        {
            throw Invalid(pattern, "ends with '/'; it must name files, e.g. '*.log'");
        }

        CheckBraces(pattern);
        var expanded = new List<string>();
        Expand(pattern, expanded, pattern);
        return expanded.Select(alternative => Split(alternative, pattern)).ToArray();
    }

    private static void CheckBraces(string pattern)
    {
        var open = new Stack<int>();
        for (int i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == '{')
            {
                open.Push(i);
            }
            else if (pattern[i] == '}' && !open.TryPop(out _))
            {
                throw Invalid(pattern, $"has a '}}' without a matching '{{' at position {i}");
            }
        }

        if (open.Count > 0)
        {
            throw Invalid(pattern, $"has an unclosed '{{' at position {open.Peek()}");
        }
    }

    /// <summary>Expands the first brace group and recurses, so nested and sequential groups all multiply out.</summary>
    private static void Expand(string text, List<string> into, string pattern)
    {
        int open = text.IndexOf('{');
        if (open < 0)
        {
            if (into.Count == MaxAlternatives)
            {
                throw Invalid(pattern, $"expands to more than {MaxAlternatives} alternatives");
            }

            into.Add(text);
            return;
        }

        int depth = 0;
        int start = open + 1;
        var choices = new List<string>();
        for (int i = open; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '{')
            {
                depth++;
            }
            else if (c == '}' && --depth == 0)
            {
                choices.Add(text[start..i]);
                foreach (string choice in choices)
                {
                    Expand(string.Concat(text.AsSpan(0, open), choice, text.AsSpan(i + 1)), into, pattern);
                }

                return;
            }
            else if (c == ',' && depth == 1)
            {
                choices.Add(text[start..i]);
                start = i + 1;
            }
        }
    }

    private static GlobSegment[] Split(string alternative, string pattern)
    {
        // Empty segments ('//') are skipped as the kernel does; a trailing '**' means "anything inside", so it is
        // followed by an implicit '*' (the directory itself is not a file and must not match).
        var segments = new List<GlobSegment>();
        foreach (var range in alternative.AsSpan().Split('/'))
        {
            string text = alternative[range];
            if (text.Length == 0)
            {
                continue;
            }

            segments.Add(Check(text, pattern));
        }

        if (segments.Count == 0)
        {
            throw Invalid(pattern, "names no file");
        }

        if (segments[^1].IsAnyDepth)
        {
            segments.Add(GlobSegment.Create("*"));
        }

        if (segments.Count > MaxSegments)
        {
            throw Invalid(pattern, $"has more than {MaxSegments} segments");
        }

        return [.. segments];
    }

    private static GlobSegment Check(string segment, string pattern)
    {
        if (segment is "." or "..")
        {
            throw Invalid(pattern, $"contains a '{segment}' segment; write the normalized path");
        }

        if (segment != "**" && segment.Contains("**", StringComparison.Ordinal))
        {
            throw Invalid(pattern, $"has '**' inside the segment '{segment}'; '**' must be a whole segment, as in '/a/**/b'");
        }

        for (int i = segment.IndexOf('['); i >= 0; i = segment.IndexOf('[', i + 1))
        {
            int close = GlobSegment.ClassEnd(segment, i);
            if (close < 0)
            {
                throw Invalid(pattern, $"has an unclosed '[' in the segment '{segment}'");
            }

            i = close;
        }

        return GlobSegment.Create(segment);
    }

    private static ArgumentException Invalid(string pattern, string problem) =>
        new($"Glob pattern '{pattern}' {problem}.", nameof(pattern));
}
