using Collector.Storage;
using Collector.Storage.Index;

namespace Collector.Search;

/// <summary>
/// Decides from a block's label values alone whether any of its lines could match: each matcher is evaluated once per
/// distinct value of the file's dictionary, then a block passes a matcher when one of its values of that label does.
/// A pod label matcher that accepts "" passes every block: a line without the label is not recorded.
/// </summary>
public sealed class BlockFilter
{
    private readonly List<(LogLabel Label, bool[] Allowed)[]> _terms = [];

    public BlockFilter(LogQuery query, LabelValues labels)
    {
        foreach (var term in query.Terms)
        {
            var matchers = new List<(LogLabel, bool[])>(term.Matchers.Count);
            foreach (var matcher in term.Matchers)
            {
                bool pod = matcher.Label == LogLabel.PodLabel;
                if (pod && matcher.Matches(ReadOnlySpan<byte>.Empty))
                {
                    continue;
                }

                var allowed = new bool[labels.Count];
                for (int id = 0; id < allowed.Length; id++)
                {
                    allowed[id] = labels.LabelOf(id) == matcher.Label && (!pod || labels.NameOf(id) == matcher.Name)
                        && matcher.Matches(labels.ValueOf(id));
                }

                matchers.Add((matcher.Label, allowed));
            }

            _terms.Add([.. matchers]);
        }
    }

    /// <summary>The block's lines may have times in [start, end).</summary>
    public static bool InRange(IndexBlock block, long startNs, long endNs) => block.MaxTime >= startNs && block.MinTime < endNs;

    public bool MayMatch(IndexBlock block)
    {
        foreach (var term in _terms)
        {
            if (TermMayMatch(term, block))
            {
                return true;
            }
        }

        return false;
    }

    private static bool TermMayMatch((LogLabel Label, bool[] Allowed)[] term, IndexBlock block)
    {
        foreach (var (label, allowed) in term)
        {
            if ((block.Overflow & (1 << (int)label)) != 0)
            {
                continue;
            }

            bool any = false;
            foreach (ushort id in block.Values)
            {
                if (id < allowed.Length && allowed[id])
                {
                    any = true;
                    break;
                }
            }

            if (!any)
            {
                return false;
            }
        }

        return true;
    }
}
