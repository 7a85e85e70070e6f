namespace Collector.Search;

/// <summary>
/// The last entries added, oldest first, with where each line starts: at most <c>capacity</c> of them, and (but
/// always the newest one) at most <c>maxBytes</c> of lines, the page's byte cap. A backward search of a gzip file,
/// which can only be read forward, keeps its matches here and hands them out newest first at the end of the file.
/// </summary>
internal sealed class MatchRing(int capacity, long maxBytes)
{
    private readonly LogEntry[] _items = new LogEntry[Math.Max(capacity, 1)];
    private readonly SearchPosition[] _positions = new SearchPosition[Math.Max(capacity, 1)];
    private readonly int[] _sizes = new int[Math.Max(capacity, 1)];
    private int _next;

    public int Count { get; private set; }

    /// <summary>Entries were let go to stay within the count or the bytes.</summary>
    public bool Overflowed { get; private set; }

    /// <summary>Bytes of the lines held.</summary>
    public long Bytes { get; private set; }

    public LogEntry this[int i] => _items[Slot(i)];

    public SearchPosition PositionOf(int i) => _positions[Slot(i)];

    public void Add(LogEntry entry, SearchPosition position, int bytes)
    {
        while (Count > 0 && (Count == _items.Length || Bytes + bytes > maxBytes))
        {
            // Let the oldest go (and its line, which may be long).
            int oldest = Slot(0);
            Bytes -= _sizes[oldest];
            _items[oldest] = null!;
            Count--;
            Overflowed = true;
        }

        _items[_next] = entry;
        _positions[_next] = position;
        _sizes[_next] = bytes;
        Bytes += bytes;
        Count++;
        _next = (_next + 1) % _items.Length;
    }

    private int Slot(int i) => (_next - Count + i + (_items.Length * 2)) % _items.Length;
}
