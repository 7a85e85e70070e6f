using Collector.Search.Metrics;
using Collector.Search.Pipeline;
using Collector.Storage;

namespace Collector.Search;

/// <summary>
/// A parsed query: alternatives (Gravity's <c>or</c>; a LogQL query has one), each a conjunction of label matchers
/// and line filters. A line matches when any alternative matches it. A LogQL query may end in a <see cref="Pipeline"/>
/// (parsers, label filters, formats): the index and the literal scan use the terms alone, the pipeline runs on the
/// lines they let through.
/// </summary>
public sealed class LogQuery(string text, IReadOnlyList<QueryTerm> terms, LogPipeline? pipeline = null)
{
    public static readonly LogQuery All = new(string.Empty, [new QueryTerm([], [])]);

    public string Text => text;

    public IReadOnlyList<QueryTerm> Terms => terms;

    /// <summary>
    /// The stages after the selector and its leading line filters; null for a plain query (the fast path).
    /// </summary>
    public LogPipeline? Pipeline => pipeline;

    /// <summary>The terms, then the pipeline: whether the line is in the result.</summary>
    public bool Matches(ReadOnlySpan<byte> line, in StoredLine parsed) =>
        MatchesStream(line, parsed) && (pipeline is null || Run(line, parsed) is not null);

    /// <summary>
    /// The pipeline over a line that matched the terms: its labels and line afterwards, or null when a stage
    /// dropped it.
    /// </summary>
    public PipelineLine? Run(ReadOnlySpan<byte> line, in StoredLine parsed) =>
        pipeline!.Run(parsed.TimeNs, LogEntry.MessageOf(line, parsed), LokiLabels.Of(parsed.LabelStrings()));

    /// <summary>The selector and the line filters before any other stage.</summary>
    public bool MatchesStream(ReadOnlySpan<byte> line, in StoredLine parsed)
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

    /// <summary>
    /// Bytes every matching line contains, for a scan that jumps from occurrence to occurrence: the longest <c>|=</c>
    /// text or equality matcher of a single alternative (<c>pod="web-1"</c> is on the line as those very bytes).
    /// </summary>
    public byte[]? RequiredLiteral()
    {
        if (terms.Count != 1)
        {
            return null;
        }

        var candidates = terms[0].Filters.Where(f => f.Op == FilterOp.Contains && f.Alternatives.Count == 0).Select(f => f.Utf8)
            .Concat(terms[0].Matchers.Select(LiteralOf).OfType<byte[]>());
        return candidates.Where(c => c.Length > 0).MaxBy(c => c.Length);
    }

    private static byte[]? LiteralOf(LabelMatcher matcher)
    {
        // Only values stored unchanged: SD escapes (\ \" \]) and #ooo control escapes would change the bytes.
        if (matcher.Op != MatchOp.Equal || matcher.Value.Length == 0 || matcher.Value.Any(c => c is '\\' or '"' or ']' or ' ' || char.IsControl(c)))
        {
            return null;
        }

        return matcher.Label switch
        {
            LogLabel.Namespace or LogLabel.Pod or LogLabel.Container or LogLabel.Workload =>
                System.Text.Encoding.UTF8.GetBytes($"{matcher.Name}=\"{matcher.Value}\""),
            LogLabel.Host => System.Text.Encoding.UTF8.GetBytes($" {matcher.Value} "),

            // The param's name on the line is l.KEY, and several keys have this label name: the value alone is certain.
            LogLabel.PodLabel => System.Text.Encoding.UTF8.GetBytes($"=\"{matcher.Value}\""),
            _ => null,
        };
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

        foreach (var matcher in matchers)
        {
            if (!matcher.Matches(parsed))
            {
                return false;
            }
        }

        return true;
    }
}
