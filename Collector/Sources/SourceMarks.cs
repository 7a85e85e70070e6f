using System.Collections.Concurrent;

namespace Collector.Sources;

/// <summary>
/// The ingest side of origin tracking: per source, how far messages were accepted (queued or written), so that a
/// re-sent message is dropped before it is formatted. Marks live only in memory; at start-up they are seeded from
/// the <see cref="SourceLedger"/>, which rebuilt them from the messages file, so they never claim more than was
/// written before a crash. Thread-safe: every connection calls <see cref="Admit(ReadOnlySpan{byte})"/>.
/// </summary>
public sealed class SourceMarks(TimeProvider time)
{
    private readonly ConcurrentDictionary<ulong, Entry> _sources = new();
    private long _duplicates;
    private long _malformed;
    private long _rejected;

    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Origin elements that did not parse (the message was stored, its origin ignored).</summary>
    public long Malformed => Interlocked.Read(ref _malformed);

    /// <summary>Origins that claimed too large a jump (stored, origin ignored).</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>
    /// For a parsed message's STRUCTURED-DATA: false when it is a re-send of what was already accepted, which the
    /// caller must not store again (and, over RELP, still acknowledge); true for everything else, including messages
    /// without an origin and with a malformed one.
    /// </summary>
    public bool Admit(ReadOnlySpan<byte> structuredData)
    {
        if (!Origin.TryRead(structuredData, out var origin, out _, out bool malformed))
        {
            if (malformed)
            {
                Interlocked.Increment(ref _malformed);
            }

            return true;
        }

        return Admit(origin) != OriginVerdict.Duplicate;
    }

    /// <summary>
    /// Applies one origin; the verdict tells a transport what to do (<see cref="OriginVerdict.Duplicate"/>: do not
    /// store).
    /// </summary>
    public OriginVerdict Admit(in Origin origin)
    {
        var entry = _sources.GetOrAdd(origin.Source, static _ => new Entry());
        OriginVerdict verdict;
        long now = time.GetUtcNow().ToUnixTimeMilliseconds();
        lock (entry)
        {
            verdict = OriginRules.Apply(ref entry.State, origin, out _);
            entry.LastSeen = now;
            if (verdict == OriginVerdict.Duplicate)
            {
                entry.Duplicates++;
            }
        }

        if (verdict == OriginVerdict.Duplicate)
        {
            Interlocked.Increment(ref _duplicates);
        }
        else if (verdict == OriginVerdict.Rejected)
        {
            Interlocked.Increment(ref _rejected);
        }

        return verdict;
    }

    /// <summary>
    /// At start-up, before any listener: the marks rebuilt from the file, with the counts saved before.
    /// </summary>
    public void Seed(ulong source, SourceMark state, long duplicates, long lastSeen)
    {
        var entry = _sources.GetOrAdd(source, static _ => new Entry());
        lock (entry)
        {
            entry.State = state;
            entry.Duplicates = duplicates;
            entry.LastSeen = Math.Max(entry.LastSeen, lastSeen);
        }
    }

    /// <summary>Totals saved with the sources (<see cref="Duplicates"/> etc. go on across restarts).</summary>
    public void SeedTotals(long duplicates, long malformed, long rejected)
    {
        Interlocked.Add(ref _duplicates, duplicates);
        Interlocked.Add(ref _malformed, malformed);
        Interlocked.Add(ref _rejected, rejected);
    }

    public (long Duplicates, long LastSeen) Get(ulong source)
    {
        if (!_sources.TryGetValue(source, out var entry))
        {
            return (0, 0);
        }

        lock (entry)
        {
            return (entry.Duplicates, entry.LastSeen);
        }
    }

    public int Count => _sources.Count;

    public void Forget(ulong source) => _sources.TryRemove(source, out _);

    /// <summary>
    /// Sources accepted at ingest but not (yet) in the ledger, e.g. seen only as duplicates; for expiry.
    /// </summary>
    public IEnumerable<(ulong Source, long LastSeen)> All()
    {
        foreach (var (source, entry) in _sources)
        {
            yield return (source, Volatile.Read(ref entry.LastSeen));
        }
    }

    private sealed class Entry
    {
        public SourceMark State = SourceMark.None;
        public long Duplicates;
        public long LastSeen;
    }
}
