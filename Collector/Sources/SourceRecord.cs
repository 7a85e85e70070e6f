namespace Collector.Sources;

/// <summary>
/// What the messages file holds of one source, as the <see cref="SourceLedger"/> read it: where it came from (from the
/// stored lines: HOSTNAME, the Kubernetes element and the origin's <c>f</c>), the first and last position stored, the
/// lines stored, and the gaps (the latest <see cref="MaxGapRanges"/> ranges kept, all counted).
/// </summary>
public sealed class SourceRecord(ulong id)
{
    public const int MaxGapRanges = 16;

    public ulong Id { get; } = id;

    public string Node { get; set; } = "";

    public string? Path { get; set; }

    public string? Namespace { get; set; }

    public string? Pod { get; set; }

    public string? Container { get; set; }

    public string? App { get; set; }

    /// <summary>FROM of the first message stored.</summary>
    public long First { get; set; }

    public SourceMark State { get; set; } = SourceMark.None;

    public long Lines { get; set; }

    public long Gaps { get; set; }

    public long GapBytes { get; set; }

    public List<GapRange> GapRanges { get; set; } = [];

    public long Rejected { get; set; }

    /// <summary>Unix milliseconds when a line of it was last found in the file.</summary>
    public long LastStored { get; set; }

    /// <summary>
    /// Records bytes <paramref name="from"/> to <paramref name="to"/> as missing; <paramref name="to"/> -1: to an end
    /// nobody knows (no bytes counted).
    /// </summary>
    public void AddGap(long from, long to, long at)
    {
        Gaps++;
        GapBytes += to < 0 ? 0 : to - from;
        if (GapRanges.Count == MaxGapRanges)
        {
            GapRanges.RemoveAt(0);
        }

        GapRanges.Add(new GapRange(from, to, at));
    }
}

/// <summary>
/// Bytes FROM to TO (exclusive) of a source never arrived; TO -1 when the end is not known (the file was deleted
/// unread); <see cref="At"/>: Unix ms when the gap was found.
/// </summary>
public sealed record GapRange(long From, long To, long At);
