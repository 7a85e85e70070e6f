namespace Collector.Search.Pipeline;

/// <summary>Go's RE2 spelling of named groups, <c>(?P&lt;name&gt;…)</c>, in .NET's <c>(?&lt;name&gt;…)</c>.</summary>
public static class RegexSyntax
{
    public static string FromGo(string pattern)
    {
        if (!pattern.Contains("(?P<", StringComparison.Ordinal))
        {
            return pattern;
        }

        var builder = new System.Text.StringBuilder(pattern.Length);
        for (int i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == '\\' && i + 1 < pattern.Length)
            {
                builder.Append(pattern, i, 2);
                i++;
                continue;
            }

            if (string.CompareOrdinal(pattern, i, "(?P<", 0, 4) == 0)
            {
                builder.Append("(?<");
                i += 3;
                continue;
            }

            builder.Append(pattern[i]);
        }

        return builder.ToString();
    }
}
