namespace Collector.Sources;

/// <summary>What a message's origin means against what was stored of its source.</summary>
public enum OriginVerdict
{
    /// <summary>The first message of a source not known yet.</summary>
    First,

    /// <summary>It continues (or overlaps the end of) what was stored.</summary>
    Next,

    /// <summary>Its bytes were all stored already: a re-send.</summary>
    Duplicate,

    /// <summary>It starts past what was stored: the bytes between are missing.</summary>
    Gap,

    /// <summary>
    /// It claims a jump too large to believe from one message: stored, but its origin does not move the mark.
    /// </summary>
    Rejected,
}

/// <summary>
/// The one rule both sides apply, the ingest (to drop re-sends) and the ledger (to count and find gaps in what was
/// written): a source's mark is the end of the furthest message stored. A message ending at or before the mark is a
/// re-send; one starting past the mark leaves a gap. Any client can write an origin element (there is no
/// authentication yet), so one message may move a mark by at most <see cref="MaxAdvance"/>; a larger jump is believed
/// only when the next message continues exactly where the jump ended (a Forwarder that really skipped ahead).
/// </summary>
public static class OriginRules
{
    public const long MaxAdvance = 1L << 30;

    /// <summary>
    /// Applies <paramref name="origin"/> to a source's state. <paramref name="gap"/>: the missing bytes (From, To) for
    /// <see cref="OriginVerdict.Gap"/>.
    /// </summary>
    public static OriginVerdict Apply(ref SourceMark state, in Origin origin, out (long From, long To) gap)
    {
        gap = default;
        if (state.Mark < 0)
        {
            state = new SourceMark(origin.To, -1, -1);
            return OriginVerdict.First;
        }

        // An empty range (a second partial entry flushed at the same place) is never a re-send.
        if (origin.To <= state.Mark && origin.From < origin.To)
        {
            return OriginVerdict.Duplicate;
        }

        if (origin.To - state.Mark > MaxAdvance)
        {
            if (state.JumpTo >= 0 && origin.From == state.JumpTo)
            {
                gap = (state.Mark, state.JumpFrom);
                state = new SourceMark(origin.To, -1, -1);
                return OriginVerdict.Gap;
            }

            state = state with { JumpFrom = origin.From, JumpTo = origin.To };
            return OriginVerdict.Rejected;
        }

        long mark = state.Mark;
        state = new SourceMark(Math.Max(mark, origin.To), -1, -1);
        if (origin.From > mark)
        {
            gap = (mark, origin.From);
            return OriginVerdict.Gap;
        }

        return OriginVerdict.Next;
    }
}

/// <summary>
/// How far a source was stored (<see cref="Mark"/>, -1 for none), and a jump larger than
/// <see cref="OriginRules.MaxAdvance"/> waiting for a message that continues it (-1 for none).
/// </summary>
public readonly record struct SourceMark(long Mark, long JumpFrom, long JumpTo)
{
    public static SourceMark None => new(-1, -1, -1);
}
