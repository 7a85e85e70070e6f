namespace Collector.Search;

/// <summary>
/// A parsed query: alternatives (Gravity's <c>or</c>; a LogQL query has one), each a conjunction of label matchers
/// and line filters. A line matches when any alternative matches it.
/// </summary>
public sealed class LogQuery(string text, IReadOnlyList<QueryTerm> terms)
{
    public static readonly LogQuery All = new(string.Empty, [new QueryTerm([], [])]);

    public string Text => text;

    public IReadOnlyList<QueryTerm> Terms => terms;

    public bool Matches(ReadOnlySpan<byte> line, in StoredLine parsed)
    {
        foreach (var term in terms)
        {
            if (term.Matches(line, parsed))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A literal every matching line contains (the longest <c>|=</c> of a single alternative), for a fast scan.</summary>
    public byte[]? RequiredLiteral()
    {
        if (terms.Count != 1)
        {
            return null;
        }

        return terms[0].Filters.Where(f => f.Op == FilterOp.Contains && f.Utf8.Length > 0).MaxBy(f => f.Utf8.Length)?.Utf8;
    }
}

/// <summary>One alternative: every matcher and every filter must match.</summary>
public sealed class QueryTerm(IReadOnlyList<LabelMatcher> matchers, IReadOnlyList<LineFilter> filters)
{
    public IReadOnlyList<LabelMatcher> Matchers => matchers;

    public IReadOnlyList<LineFilter> Filters => filters;

    public bool Matches(ReadOnlySpan<byte> line, in StoredLine parsed)
    {
        // Filters first: a literal search is cheaper than unescaping label values.
        foreach (var filter in filters)
        {
            if (!filter.Matches(line))
            {
                return false;
            }
        }

        Span<byte> scratch = stackalloc byte[512];
        foreach (var matcher in matchers)
        {
            var value = parsed.Label(matcher.Label, scratch, out byte[]? rented);
            bool ok = matcher.Matches(value);
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }

            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
