namespace Forwarder.Discovery;

/// <summary>
/// An absolute glob: <c>*</c> is any run of characters except '/', <c>?</c> one character except '/', <c>[abc]</c>,
/// <c>[a-z]</c> and <c>[!x]</c> are classes, <c>**</c> as a whole segment is zero or more directories (a trailing
/// <c>**</c> is anything inside), <c>{a,b}</c> are alternatives, possibly spanning '/'.
/// </summary>
/// <remarks>
/// Matching runs each alternative as a small automaton over path segments: state bit i means "segment i is next",
/// bit n (the segment count) means "matched". That gives <see cref="CouldMatchBelow"/> for free: a directory can hold
/// matches while some state still expects a segment.
/// </remarks>
public sealed class GlobPattern
{
    private readonly GlobSegment[][] _alternatives;

    private GlobPattern(string pattern, GlobSegment[][] alternatives)
    {
        Pattern = pattern;
        _alternatives = alternatives;
        BaseDirectory = CommonBaseDirectory(alternatives);
        IsRecursive = alternatives.Any(segments => segments.Any(s => s.IsAnyDepth));
        int baseDepth = BaseDirectory.AsSpan().Count('/') - (BaseDirectory == "/" ? 1 : 0);
        MatchesOnlyInBaseDirectory = alternatives.All(segments => segments.Length == baseDepth + 1);
    }

    public string Pattern { get; }

    /// <summary>Longest directory prefix without wildcards: where scanning and watching start.</summary>
    public string BaseDirectory { get; }

    /// <summary>True when the pattern can match below more than one directory level (contains <c>**</c>).</summary>
    public bool IsRecursive { get; }

    /// <summary>
    /// True when every match is a direct child of <see cref="BaseDirectory"/>: watching that one directory is enough.
    /// False for <c>**</c> and also for fixed-depth patterns such as <c>/var/log/*/current.log</c>.
    /// </summary>
    internal bool MatchesOnlyInBaseDirectory { get; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the pattern and what is wrong with it.</summary>
    public static GlobPattern Parse(string pattern) => new(pattern, GlobParser.Parse(pattern));

    public bool IsMatch(string absolutePath)
    {
        foreach (var segments in _alternatives)
        {
            if ((Run(segments, absolutePath) & Accepting(segments)) != 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether some path below this directory could still match (prunes the walk).</summary>
    public bool CouldMatchBelow(string absoluteDirectory)
    {
        foreach (var segments in _alternatives)
        {
            if ((Run(segments, absoluteDirectory) & (Accepting(segments) - 1)) != 0)
            {
                return true;
            }
        }

        return false;
    }

    public override string ToString() => Pattern;

    private static ulong Accepting(GlobSegment[] segments) => 1UL << segments.Length;

    /// <summary>
    /// The states reached after reading every segment of <paramref name="path"/>; 0 when none is left.
    /// </summary>
    private static ulong Run(GlobSegment[] segments, string path)
    {
        if (!path.StartsWith('/'))
        {
            return 0;
        }

        ulong states = SkipAnyDepth(segments, 1);
        foreach (var range in path.AsSpan().Split('/'))
        {
            var name = path.AsSpan(range);
            if (name.IsEmpty)
            {
                continue;
            }

            states = Step(segments, states, name);
            if (states == 0)
            {
                break;
            }
        }

        return states;
    }

    private static ulong Step(GlobSegment[] segments, ulong states, ReadOnlySpan<char> name)
    {
        ulong next = 0;
        for (int i = 0; i < segments.Length; i++)
        {
            if ((states & (1UL << i)) == 0)
            {
                continue;
            }

            if (segments[i].IsAnyDepth)
            {
                next |= 1UL << i;
            }
            else if (segments[i].IsMatch(name))
            {
                next |= 1UL << (i + 1);
            }
        }

        return SkipAnyDepth(segments, next);
    }

    /// <summary>
    /// '**' also matches zero directories: wherever it is next, the segment after it may be next too.
    /// </summary>
    private static ulong SkipAnyDepth(GlobSegment[] segments, ulong states)
    {
        for (int i = 0; i < segments.Length; i++)
        {
            if ((states & (1UL << i)) != 0 && segments[i].IsAnyDepth)
            {
                states |= 1UL << (i + 1);
            }
        }

        return states;
    }

    private static string CommonBaseDirectory(GlobSegment[][] alternatives)
    {
        // The literal segments before the first wildcard, never the last segment (that one names files).
        var common = Literals(alternatives[0]);
        foreach (var segments in alternatives.Skip(1))
        {
            var literals = Literals(segments);
            int same = 0;
            while (same < common.Count && same < literals.Count && common[same] == literals[same])
            {
                same++;
            }

            common = common.Take(same).ToList();
        }

        return "/" + string.Join('/', common);
    }

    private static List<string> Literals(GlobSegment[] segments) =>
        segments.Take(segments.Length - 1).TakeWhile(s => s.IsLiteral).Select(s => s.Text).ToList();
}
