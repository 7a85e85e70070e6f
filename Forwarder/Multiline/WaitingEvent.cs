using System.Buffers;
using Forwarder.Parsing;

namespace Forwarder.Multiline;

/// <summary>
/// A complete event kept back because an event of the other stream that began before it may still end before it
/// (see MultilineJoiner.Order.cs). Copied, since the pending event's buffer is reused for the stream's next line, into
/// a pooled buffer: a stream that writes on while the other holds one line open makes every one of its lines wait
/// (ForwarderMultilineBenchmarks, StderrEvery = 20), and the joiner reuses these objects.
/// </summary>
internal sealed class WaitingEvent
{
    private byte[] _bytes = [];
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

    public void Set(in LogEntry entry, long end)
    {
        int length = entry.Content.Length + entry.Timestamp.Length;
        if (_bytes.Length < length)
        {
            Release();
            _bytes = ArrayPool<byte>.Shared.Rent(length);
        }

        entry.Content.CopyTo(_bytes);
        entry.Timestamp.CopyTo(_bytes.AsSpan(entry.Content.Length));
        _contentLength = entry.Content.Length;
        _timestampLength = entry.Timestamp.Length;
        _stream = entry.Stream;
        _offset = entry.Offset;
        _originalLength = entry.OriginalLength;
        _partial = entry.Partial;
        _malformed = entry.Malformed;
        End = end;
    }

    public LogEntry ToEntry() => new()
    {
        Content = _bytes.AsSpan(0, _contentLength),
        Timestamp = _bytes.AsSpan(_contentLength, _timestampLength),
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
        if (_bytes.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_bytes);
            _bytes = [];
        }
    }
}
