using System.Buffers;
using Forwarder.Tailing;

namespace Forwarder.Shipping;

/// <summary>
/// Encoded RFC 5424 messages (unframed, back to back in one buffer) on their way to the network, with the file
/// offsets they complete: once the batch was written to the socket, <see cref="Commit"/> lets those offsets into the
/// next checkpoint. The tailing loop fills it through <see cref="IBufferWriter{T}"/>; the shipper reads it as a list.
/// </summary>
internal sealed class OutgoingBatch : IBufferWriter<byte>, IReadOnlyList<ReadOnlyMemory<byte>>
{
    // A batch that once held a huge message should not keep its buffer for the life of the process.
    private const int MaxRetainedCapacity = 4 * 1024 * 1024;

    // The first buffer: a light load (a few lines per pass) never needs more, and the queue cycles through all of its
    // batches, so starting each at full size held Capacity × 320 KB (10 MB at the default --queue-size) for good.
    private const int FirstCapacity = 16 * 1024;

    private readonly int _initialCapacity;
    private readonly List<int> _ends = [];
    private readonly List<Progress> _progress = [];
    private byte[] _buffer;
    private int _length;
    private int _messageStart;

    public OutgoingBatch(int initialCapacity)
    {
        // Allocated on first use: the queue holds many batches, and under a light load only a few ever fill.
        _initialCapacity = initialCapacity;
        _buffer = [];
    }

    public int Count => _ends.Count;

    public int Bytes => _length;

    public bool IsEmpty => _ends.Count == 0 && _progress.Count == 0;

    /// <summary>The buffer's size now (for tests: how it grows).</summary>
    internal int BufferLength => _buffer.Length;

    public ReadOnlyMemory<byte> this[int index]
    {
        get
        {
            int start = index == 0 ? 0 : _ends[index - 1];
            return _buffer.AsMemory(start, _ends[index] - start);
        }
    }

    /// <summary>Ends the message written since the previous call.</summary>
    public void EndMessage()
    {
        if (_length > _messageStart)
        {
            _ends.Add(_length);
            _messageStart = _length;
        }
    }

    /// <summary>
    /// Once this batch is sent, <paramref name="tailer"/> may checkpoint <paramref name="offset"/> (the latest call
    /// wins).
    /// </summary>
    public void SetProgress(FileTailer tailer, long offset, int epoch)
    {
        for (int i = _progress.Count - 1; i >= 0; i--)
        {
            if (ReferenceEquals(_progress[i].Tailer, tailer))
            {
                _progress[i] = new Progress(tailer, offset, epoch);
                return;
            }
        }

        tailer.AddedToBatch();
        _progress.Add(new Progress(tailer, offset, epoch));
    }

    public void Commit()
    {
        foreach (var p in _progress)
        {
            p.Tailer.Commit(p.Offset, p.Epoch);
        }
    }

    public void Reset()
    {
        _ends.Clear();
        _progress.Clear();
        _length = 0;
        _messageStart = 0;
        if (_buffer.Length > MaxRetainedCapacity)
        {
            _buffer = [];
        }
    }

    /// <summary>
    /// Lets go of the buffer and the lists' arrays of an empty batch (a free one of an idle queue); it grows again on
    /// use. Returns the bytes let go (0 for a batch that holds something: it keeps them).
    /// </summary>
    public long ReleaseBuffers()
    {
        if (!IsEmpty || _length > 0)
        {
            return 0;
        }

        long released = _buffer.Length + ((long)_ends.Capacity * sizeof(int)) + ((long)_progress.Capacity * 24);
        _buffer = [];
        _ends.TrimExcess();
        _progress.TrimExcess();
        return released;
    }

    public void Advance(int count) => _length += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_length);
    }

    public IEnumerator<ReadOnlyMemory<byte>> GetEnumerator()
    {
        for (int i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    private void Ensure(int sizeHint)
    {
        int needed = _length + Math.Max(sizeHint, 1);
        if (needed > _buffer.Length)
        {
            // Doubling from a small start, stopping once at the batch size on the way: a batch under a light load
            // stays small, one that fills costs a few copies once per burst (it keeps its buffer until the queue is
            // idle), and one that grows past it (a chunk of a large read buffer) still doubles, never per message.
            int doubled = Math.Max(FirstCapacity, _buffer.Length * 2);
            int grown = _buffer.Length < _initialCapacity ? Math.Min(doubled, _initialCapacity) : doubled;
            Array.Resize(ref _buffer, Math.Max(needed, grown));
        }
    }

    private readonly record struct Progress(FileTailer Tailer, long Offset, int Epoch);
}
