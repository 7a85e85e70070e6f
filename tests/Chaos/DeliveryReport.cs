namespace Chaos;

/// <summary>
/// What the messages files hold of the lines written: per container log, every number 0 … written-1 exactly once and
/// in order; per origin source (one generation of one log), ranges that follow each other from 0 without a break.
/// </summary>
public sealed class DeliveryReport
{
    private const int MaxExamples = 10;

    private DeliveryReport(IReadOnlyList<long> written, List<long>[] stored)
    {
        Written = written;
        Stored = stored;
    }

    public IReadOnlyList<long> Written { get; }

    /// <summary>Per container log, the numbers stored, in file order.</summary>
    public IReadOnlyList<IReadOnlyList<long>> Stored { get; }

    public long Lines { get; private set; }

    /// <summary>Numbers written and stored nowhere.</summary>
    public long Lost { get; private set; }

    /// <summary>Stored lines beyond the first of their number.</summary>
    public long StoredTwice { get; private set; }

    /// <summary>Lines stored once but after a line written later than them.</summary>
    public long OutOfOrder { get; private set; }

    /// <summary>Lines that are not chaos lines, or carry a number never written.</summary>
    public long Foreign { get; private set; }

    /// <summary>Chaos lines without an origin element.</summary>
    public long WithoutOrigin { get; private set; }

    /// <summary>
    /// Lines whose range does not start where their source's previous one ended (or, for the first, at 0).
    /// </summary>
    public long OriginBreaks { get; private set; }

    public IReadOnlyDictionary<string, SourceTally> Sources => _sources;

    public IReadOnlyList<string> Examples => _examples;

    public bool Exact => Lost == 0 && StoredTwice == 0 && OutOfOrder == 0 && Foreign == 0 && WithoutOrigin == 0 && OriginBreaks == 0;

    private readonly Dictionary<string, SourceTally> _sources = new(StringComparer.Ordinal);
    private readonly List<string> _examples = [];

    public static DeliveryReport Check(IReadOnlyList<long> written, IEnumerable<StoredLine> lines)
    {
        var stored = written.Select(_ => new List<long>()).ToArray();
        var report = new DeliveryReport(written, stored);
        var seen = written.Select(w => new byte[w]).ToArray();
        var highest = written.Select(_ => -1L).ToArray();
        foreach (var line in lines)
        {
            report.Add(line, stored, seen, highest);
        }

        for (int f = 0; f < written.Count; f++)
        {
            for (long n = 0; n < written[f]; n++)
            {
                if (seen[f][n] == 0)
                {
                    report.Lost++;
                    report.Example($"lost: log {f} line {n}");
                }
            }
        }

        return report;
    }

    private void Add(StoredLine line, List<long>[] stored, byte[][] seen, long[] highest)
    {
        Lines++;
        if (line.Key is not (int f, long n) || f >= Written.Count || n >= Written[f])
        {
            Foreign++;
            Example($"not a line written: {line.Text}");
            return;
        }

        stored[f].Add(n);
        if (seen[f][n]++ > 0)
        {
            StoredTwice++;
            Example($"stored twice: log {f} line {n}: {line.Text}");
        }
        else if (n < highest[f])
        {
            OutOfOrder++;
            Example($"out of order: log {f} line {n} after line {highest[f]}");
        }

        highest[f] = Math.Max(highest[f], n);
        if (line.Source is null)
        {
            WithoutOrigin++;
            Example($"no origin: {line.Text}");
            return;
        }

        if (!_sources.TryGetValue(line.Source, out var tally))
        {
            _sources[line.Source] = tally = new SourceTally(line.Source, f, line.From);
        }

        if (line.From != tally.Last || tally.File != f)
        {
            OriginBreaks++;
            Example($"origin break: source {line.Source} (log {tally.File}) at {tally.Last}, next line {line.From}-{line.To} of log {f}");
        }

        tally.Lines++;
        tally.Last = Math.Max(tally.Last, line.To);
    }

    private void Example(string text)
    {
        if (_examples.Count < MaxExamples)
        {
            _examples.Add(text);
        }
    }
}

/// <summary>
/// One origin source as the messages files hold it: its log, its lines, the first FROM and the furthest TO.
/// </summary>
public sealed class SourceTally(string id, int file, long first)
{
    public string Id { get; } = id;

    public int File { get; } = file;

    public long First { get; } = first;

    public long Lines { get; set; }

    public long Last { get; set; }
}
