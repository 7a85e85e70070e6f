using System.Buffers;
using System.Runtime.CompilerServices;

namespace Forwarder.Parsing;

/// <summary>
/// One stream's entry being reassembled from fragments. Its buffer is rented on the first fragment, grows as needed up
/// to the message cap and goes back to the pool when the entry is emitted: thousands of idle files hold no buffers.
/// </summary>
internal sealed class PendingEntry
{
    /// <summary>Docker fragments are 16 KiB: one of them, and most whole messages, fit without growing.</summary>
    private const int InitialCapacity = 16 * 1024 + 256;

    /// <summary>RFC 3339 with 9 fraction digits and an offset is 35 bytes; a longer time is invalid anyway.</summary>
    private const int MaxTimestampLength = 40;

    private TimestampBytes _timestamp;
    private int _timestampLength;
    private byte[]? _buffer;
    private int _length;
    private byte _lastByte;

    public PendingEntry(LogStream stream) => Stream = stream;

    public LogStream Stream { get; }

    public bool IsActive { get; private set; }

    /// <summary>File offset of the entry's first physical line.</summary>
    public long FirstOffset { get; private set; }

    public long OriginalLength { get; private set; }

    /// <summary>The first fragment's time (the entry's), or empty if it was too long to be one.</summary>
    public ReadOnlySpan<byte> Timestamp => ((ReadOnlySpan<byte>)_timestamp)[.._timestampLength];

    /// <summary>The bytes kept, never ending in half a UTF-8 character when some were dropped.</summary>
    public ReadOnlySpan<byte> Content
    {
        get
        {
            var content = _buffer.AsSpan(0, _length);
            return OriginalLength > _length ? content[..Utf8Tail.CompleteLength(content, _length)] : content;
        }
    }

    public void Start(ReadOnlySpan<byte> timestamp, long offset)
    {
        IsActive = true;
        FirstOffset = offset;
        _timestampLength = timestamp.Length <= MaxTimestampLength ? timestamp.Length : 0;
        timestamp[.._timestampLength].CopyTo(_timestamp);
    }

    /// <summary>Adds a fragment; past <paramref name="maxBytes"/> its bytes are only counted.</summary>
    public void Append(ReadOnlySpan<byte> fragment, int maxBytes)
    {
        if (fragment.IsEmpty)
        {
            return;
        }

        OriginalLength += fragment.Length;
        _lastByte = fragment[^1];
        int take = Math.Min(fragment.Length, maxBytes - _length);
        if (take <= 0)
        {
            return;
        }

        EnsureCapacity(_length + take, maxBytes);
        fragment[..take].CopyTo(_buffer.AsSpan(_length));
        _length += take;
    }

    /// <summary>
    /// Drops a '\r' that ended the message (CRLF written by the application), kept or already dropped by the cap.
    /// </summary>
    public void TrimCarriageReturn()
    {
        if (OriginalLength == 0 || _lastByte != '\r')
        {
            return;
        }

        if (_length == OriginalLength)
        {
            _length--;
        }

        OriginalLength--;
    }

    /// <summary>Forgets the entry and returns its buffer to the pool.</summary>
    public void Clear()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }

        IsActive = false;
        _length = 0;
        _lastByte = 0;
        OriginalLength = 0;
        _timestampLength = 0;
    }

    private void EnsureCapacity(int needed, int maxBytes)
    {
        if (_buffer is not null && _buffer.Length >= needed)
        {
            return;
        }

        int size = Math.Min(maxBytes, Math.Max(needed, Math.Max(InitialCapacity, (_buffer?.Length ?? 0) * 2)));
        byte[] larger = ArrayPool<byte>.Shared.Rent(size);
        if (_buffer is not null)
        {
            _buffer.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = larger;
    }

    [InlineArray(MaxTimestampLength)]
    private struct TimestampBytes
    {
        private byte _element0;
    }
}
