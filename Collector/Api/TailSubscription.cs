using System.Threading.Channels;
using Collector.Search;

namespace Collector.Api;

/// <summary>
/// One tail client's queue: bounded, DropOldest, so a slow client loses its oldest lines instead of holding up the
/// hub (and, through it, nobody else). Every drop is counted and the first few are remembered for the client's frame.
/// </summary>
public sealed class TailSubscription
{
    public const int QueueCapacity = 1000;
    private const int RememberedDrops = 100;

    private readonly Lock _lock = new();
    private readonly List<LogEntry> _dropped = [];
    private long _droppedCount;

    public TailSubscription(LogQuery query, int generation, long end)
    {
        Query = query;
        Generation = generation;
        End = end;
        Queue = Channel.CreateBounded<LogEntry>(
            new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true },
            Dropped);
    }

    public LogQuery Query { get; }

    /// <summary>The seam: lines written at or after this (file generation, offset) are live for this client.</summary>
    public int Generation { get; }

    public long End { get; }

    public bool IsLive(int generation, long offset) => generation > Generation || (generation == Generation && offset >= End);

    public Channel<LogEntry> Queue { get; }

    /// <summary>Lines lost before they reached this client's queue (the hub's own queue overflowed).</summary>
    public void DroppedUpstream(long lines) => Interlocked.Add(ref _droppedCount, lines);

    /// <summary>The drops since the last call: their number, and up to 100 of the entries.</summary>
    public (long Count, List<LogEntry> Entries) TakeDropped()
    {
        lock (_lock)
        {
            long count = Interlocked.Exchange(ref _droppedCount, 0);
            var entries = _dropped.ToList();
            _dropped.Clear();
            return (count, entries);
        }
    }

    private void Dropped(LogEntry entry)
    {
        Interlocked.Increment(ref _droppedCount);
        lock (_lock)
        {
            if (_dropped.Count < RememberedDrops)
            {
                _dropped.Add(entry);
            }
        }
    }
}
