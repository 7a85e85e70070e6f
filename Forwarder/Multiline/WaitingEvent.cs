using System.Buffers;
using Forwarder.Parsing;

namespace Forwarder.Multiline;

/// <summary>
/// A complete event kept back because an event of the other stream that began before it may still end before it
/// (see MultilineJoiner.Order.cs). Copied, since the pending event's buffer is reused for the stream's next line, into
/// a pooled buffer: a stream that writes on while the other holds one line open makes every one of its lines wait
/// (ForwarderMultilineBenchmarks, StderrEvery = 20), and the joiner reuses these objects. An event of one line that
/// lies in the tailer's read chunk is not copied until the chunk is done (<see cref="Materialize"/>); most waiting
/// events are sent before that.
/// </summary>
internal sealed class WaitingEvent
{
    private byte[] _bytes = [];
    private byte[]? _chunk;
    private int _contentStart;
    private int _timestampStart;
    private int _contentLength;
    private int _timestampLength;
    private LogStream _stream;
    private long _offset;
    private long _originalLength;
    private bool _partial;
    private bool _malformed;

    /// <summary>File offset of the first line.</summary>
    public long Offset => _offset;

    /// <summary>File offset after the last line's '\n'.</summary>
    public long End { get; private set; }

    /// <summary>True while the event points into the read chunk instead of holding a copy.</summary>
    public bool IsBorrowed => _chunk is not null;

    /// <summary>
    /// Keeps <paramref name="entry"/>; if its spans lie in <paramref name="chunk"/> (unchanged until
    /// <see cref="Materialize"/> is called), they are not copied.
    /// </summary>
    public void Set(in LogEntry entry, long end, byte[]? chunk)
    {
        if (chunk is not null && PendingEvent.TryLocate(chunk, entry.Content, out _contentStart)
            && PendingEvent.TryLocate(chunk, entry.Timestamp, out _timestampStart))
        {
            _chunk = chunk;
        }
        else
        {
            _chunk = null;
            Copy(entry.Content, entry.Timestamp);
        }

        _contentLength = entry.Content.Length;
        _timestampLength = entry.Timestamp.Length;
        _stream = entry.Stream;
        _offset = entry.Offset;
        _originalLength = entry.OriginalLength;
        _partial = entry.Partial;
        _malformed = entry.Malformed;
        End = end;
    }

    /// <summary>Copies a borrowed event out of the chunk (the chunk is about to be reused).</summary>
    public void Materialize()
    {
        if (_chunk is { } chunk)
        {
            _chunk = null;
            Copy(chunk.AsSpan(_contentStart, _contentLength), chunk.AsSpan(_timestampStart, _timestampLength));
        }
    }

    public LogEntry ToEntry() => new()
    {
        Content = _chunk is null ? _bytes.AsSpan(0, _contentLength) : _chunk.AsSpan(_contentStart, _contentLength),
        Timestamp = _chunk is null
            ? _bytes.AsSpan(_contentLength, _timestampLength)
            : _chunk.AsSpan(_timestampStart, _timestampLength),
        Stream = _stream,
        Offset = _offset,
        OriginalLength = _originalLength,
        Partial = _partial,
        Malformed = _malformed,
    };

    /// <summary>Returns the buffer if larger than <paramref name="bytes"/> (spares keep small ones only).</summary>
    public void ReleaseIfLargerThan(int bytes)
    {
        if (_bytes.Length > bytes)
        {
            Release();
        }
    }

    /// <summary>Gives the buffer back (the event is not kept for reuse, or needs a larger one).</summary>
    public void Release()
    {
        _chunk = null;
        if (_bytes.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_bytes);
            _bytes = [];
        }
    }

    private void Copy(ReadOnlySpan<byte> content, ReadOnlySpan<byte> timestamp)
    {
        int length = content.Length + timestamp.Length;
        if (_bytes.Length < length)
        {
            Release();
            _bytes = ArrayPool<byte>.Shared.Rent(length);
        }

        content.CopyTo(_bytes);
        timestamp.CopyTo(_bytes.AsSpan(content.Length));
    }
}
