using System.Text;
using System.Text.RegularExpressions;

namespace Deploy.Tests.Docs;

/// <summary>
/// Relative links in Markdown files and the anchors GitHub gives their headings. External links (a scheme such as
/// <c>https:</c>) are not followed; links inside fenced code blocks and inline code spans are not links.
/// </summary>
internal static partial class MarkdownLinks
{
    /// <summary>One problem: the file, its line, the link and what is wrong with it.</summary>
    public sealed record Problem(string File, int Line, string Target, string Reason)
    {
        public override string ToString() => $"{File}:{Line}: ({Target}) {Reason}";
    }

    /// <summary>Checks every relative link of <paramref name="markdownFile"/>: the file or folder exists inside
    /// <paramref name="root"/>, and an anchor names a heading of the Markdown file it points to.</summary>
    public static IReadOnlyList<Problem> Check(string root, string markdownFile)
    {
        var problems = new List<Problem>();
        var name = Path.GetRelativePath(root, markdownFile);
        var fullRoot = Path.GetFullPath(root);
        foreach (var (line, target) in Links(File.ReadAllText(markdownFile)))
        {
            if (UriScheme().IsMatch(target))
            {
                continue;
            }

            var hash = target.IndexOf('#', StringComparison.Ordinal);
            var pathPart = hash < 0 ? target : target[..hash];
            var anchor = hash < 0 ? null : target[(hash + 1)..];
            var resolved = pathPart.Length == 0
                ? markdownFile
                : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(markdownFile)!, Uri.UnescapeDataString(pathPart)));
            if (!resolved.StartsWith(fullRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                problems.Add(new Problem(name, line, target, "points outside the repository"));
            }
            else if (!File.Exists(resolved) && !Directory.Exists(resolved))
            {
                problems.Add(new Problem(name, line, target, "no such file or folder"));
            }
            else if (anchor is not null && resolved.EndsWith(".md", StringComparison.Ordinal)
                     && !Anchors(File.ReadAllText(resolved)).Contains(anchor))
            {
                problems.Add(new Problem(name, line, target, $"no heading with the anchor #{anchor} in {Path.GetFileName(resolved)}"));
            }
        }

        return problems;
    }

    /// <summary>The link targets outside code, with their 1-based line numbers.</summary>
    public static IEnumerable<(int Line, string Target)> Links(string markdown)
    {
        var inFence = false;
        var lines = markdown.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
                continue;
            }

            if (inFence)
            {
                continue;
            }

            var text = CodeSpan().Replace(lines[i], string.Empty);
            foreach (Match match in InlineLink().Matches(text))
            {
                yield return (i + 1, match.Groups["target"].Value);
            }
        }
    }

    /// <summary>The anchors of the headings, as GitHub makes them: lower case, punctuation removed, spaces to
    /// hyphens, a repeated anchor numbered <c>-1</c>, <c>-2</c>…</summary>
    public static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var inFence = false;
        foreach (var line in markdown.Split('\n'))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
                continue;
            }

            var heading = Heading().Match(line);
            if (inFence || !heading.Success)
            {
                continue;
            }

            var slug = Slug(heading.Groups["text"].Value);
            var unique = slug;
            for (var n = 1; !anchors.Add(unique); n++)
            {
                unique = $"{slug}-{n}";
            }
        }

        return anchors;
    }

    public static string Slug(string headingText)
    {
        // A link in a heading contributes its text only.
        var text = InlineLinkWithText().Replace(headingText.Trim(), "${text}");
        var slug = new StringBuilder(text.Length);
        foreach (var c in text.ToLowerInvariant())
        {
            if (c == ' ')
            {
                slug.Append('-');
            }
            else if (char.IsLetterOrDigit(c) || c is '-' or '_')
            {
                slug.Append(c);
            }
        }

        return slug.ToString();
    }

    [GeneratedRegex(@"^[a-zA-Z][a-zA-Z0-9+.-]*:")]
    private static partial Regex UriScheme();

    [GeneratedRegex(@"`[^`]*`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"!?\[(?<text>[^\]]*)\]\([^)]*\)")]
    private static partial Regex InlineLinkWithText();

    [GeneratedRegex(@"^#{1,6}\s+(?<text>.+?)\s*#*\s*$")]
    private static partial Regex Heading();
}
