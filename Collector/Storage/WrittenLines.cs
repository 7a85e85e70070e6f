using System.Threading.Channels;

namespace Collector.Storage;

/// <summary>Lines the writer appended, copied for live tails: which file (generation) and where they start.</summary>
public sealed record WrittenSegment(int Generation, long Offset, byte[] Data, int Lines);

/// <summary>
/// What the writer has appended, for live tails. The writer reports every write (a lock and two fields: nothing else
/// when nobody listens); while a listener exists, each write is copied into a bounded queue whose full mode is
/// DropOldest, so a slow consumer never holds up the writer: lost lines are counted in <see cref="DroppedLines"/>.
/// </summary>
public sealed class WrittenLines
{
    private const int Capacity = 64;

    private readonly Lock _lock = new();
    private readonly Channel<WrittenSegment> _channel;
    private int _generation;
    private long _end;
    private int _listeners;
    private long _droppedLines;

    public WrittenLines()
    {
        _channel = Channel.CreateBounded<WrittenSegment>(
            new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true },
            dropped => Interlocked.Add(ref _droppedLines, dropped.Lines));
    }

    public ChannelReader<WrittenSegment> Reader => _channel.Reader;

    public long DroppedLines => Interlocked.Read(ref _droppedLines);

    /// <summary>
    /// Registers a listener and returns the position every later segment starts at or after (the current file's
    /// generation and end), atomically with respect to writes: the seam between history and live lines.
    /// </summary>
    public (int Generation, long End) AddListener()
    {
        lock (_lock)
        {
            _listeners++;
            return (_generation, _end);
        }
    }

    public void RemoveListener()
    {
        lock (_lock)
        {
            _listeners--;
        }
    }

    public (int Generation, long End) Position
    {
        get
        {
            lock (_lock)
            {
                return (_generation, _end);
            }
        }
    }

    /// <summary>
    /// The writer opened a file (new, reopened or appended to) that is <paramref name="size"/> bytes long.
    /// </summary>
    public void Opened(long size)
    {
        lock (_lock)
        {
            _generation++;
            _end = size;
        }
    }

    /// <summary>The writer appended <paramref name="segment"/> (whole lines) at <paramref name="offset"/>.</summary>
    public void Wrote(List<ReadOnlyMemory<byte>> segment, long offset, long bytes, int lines)
    {
        lock (_lock)
        {
            _end = offset + bytes;
            if (_listeners == 0)
            {
                return;
            }

            byte[] copy = new byte[bytes];
            int at = 0;
            foreach (var part in segment)
            {
                part.Span.CopyTo(copy.AsSpan(at));
                at += part.Length;
            }

            // DropOldest: TryWrite always succeeds; what it pushes out is counted by the callback.
            _channel.Writer.TryWrite(new WrittenSegment(_generation, offset, copy, lines));
        }
    }
}
