using System.Buffers;
using System.Runtime.CompilerServices;
using Forwarder.Parsing;

namespace Forwarder.Multiline;

/// <summary>
/// One stream's event being joined: its lines separated by '\n' in a rented buffer (kept while lines keep coming,
/// returned once the stream goes quiet), the file range it spans, and lines held until the next one decides.
/// Past the byte limit lines are only counted: the event is sent cut and marked, as a cut line is.
/// </summary>
/// <remarks>
/// An event of one line that lies in the tailer's read chunk is not copied: it points into the chunk (borrowed) until
/// a second line joins it or the chunk is done (<see cref="Materialize"/>). Most lines are events of their own and are
/// encoded straight from the chunk when the next line of their stream begins a new event.
/// </remarks>
internal sealed class PendingEvent(LogStream stream)
{
    private const int InitialCapacity = 4 * 1024;
    private const int MaxTimestampLength = 40;

    private readonly List<HeldLine> _held = [];
    private TimestampBytes _timestamp;
    private int _timestampLength;
    private byte[]? _buffer;
    private int _length;
    private bool _cut;

    // Set while the event is one line lying in the chunk: its content and time are read there.
    private byte[]? _chunk;
    private int _chunkContentStart;
    private int _chunkTimestampStart;

    public LogStream Stream { get; } = stream;

    public bool IsActive { get; private set; }

    public EventMode Mode { get; set; }

    /// <summary>The mode the event takes if the held lines are confirmed.</summary>
    public EventMode HeldMode { get; private set; }

    /// <summary>File offset of the first line: where reading starts again to rebuild the event.</summary>
    public long FirstOffset { get; private set; }

    /// <summary>File offset after the last line's '\n' (held lines not counted).</summary>
    public long LastEnd { get; private set; }

    public int Lines { get; private set; }

    public long OriginalLength { get; private set; }

    public bool Partial { get; private set; }

    /// <summary>When a line was last added or held (the loop's milliseconds).</summary>
    public long LastAdded { get; set; }

    public int HeldCount => _held.Count;

    public ReadOnlySpan<byte> Timestamp => _chunk is null
        ? ((ReadOnlySpan<byte>)_timestamp)[.._timestampLength]
        : _chunk.AsSpan(_chunkTimestampStart, _timestampLength);

    public ReadOnlySpan<byte> Content => _chunk is null ? _buffer.AsSpan(0, _length) : _chunk.AsSpan(_chunkContentStart, _length);

    /// <summary>True while the event points into the read chunk instead of holding a copy.</summary>
    public bool IsBorrowed => _chunk is not null;

    /// <summary>The mode to classify the next line in: the held lines' if there are any.</summary>
    public EventMode CurrentMode => _held.Count > 0 ? HeldMode : Mode;

    /// <summary>
    /// Begins the event with <paramref name="line"/>; if the line lies whole in <paramref name="chunk"/> (which stays
    /// unchanged until <see cref="Materialize"/> is called), it is not copied.
    /// </summary>
    public void Start(in EventLine line, EventMode mode, int maxBytes, byte[]? chunk)
    {
        IsActive = true;
        Mode = mode;
        FirstOffset = line.Offset;
        LastEnd = line.End;
        Lines = 1;
        Partial = line.Partial;
        _cut = false;
        _timestampLength = line.Timestamp.Length <= MaxTimestampLength ? line.Timestamp.Length : 0;
        if (chunk is not null
            && line.OriginalLength == line.Content.Length
            && line.Content.Length <= maxBytes
            && TryLocate(chunk, line.Content, out _chunkContentStart)
            && TryLocate(chunk, line.Timestamp[.._timestampLength], out _chunkTimestampStart))
        {
            _chunk = chunk;
            _length = line.Content.Length;
            OriginalLength = line.OriginalLength;
            return;
        }

        _chunk = null;
        _length = 0;
        OriginalLength = 0;
        line.Timestamp[.._timestampLength].CopyTo(_timestamp);
        AppendBytes(line.Content, line.OriginalLength, maxBytes);
    }

    /// <summary>Copies a borrowed line out of the chunk (a second line joins, or the chunk is to be reused).</summary>
    public void Materialize(int maxBytes)
    {
        if (_chunk is null)
        {
            return;
        }

        var chunk = _chunk;
        int length = _length;
        _chunk = null;
        _length = 0;
        chunk.AsSpan(_chunkTimestampStart, _timestampLength).CopyTo(_timestamp);
        if (length > 0)
        {
            EnsureCapacity(length, maxBytes);
            chunk.AsSpan(_chunkContentStart, length).CopyTo(_buffer);
            _length = length;
        }
    }

    public void Append(in EventLine line, EventMode mode, int maxBytes)
    {
        Materialize(maxBytes);
        Mode = mode;
        LastEnd = line.End;
        Lines++;
        Partial |= line.Partial;
        AppendBytes("\n"u8, 1, maxBytes);
        AppendBytes(line.Content, line.OriginalLength, maxBytes);
    }

    public void Hold(in EventLine line, EventMode mode)
    {
        _held.Add(HeldLine.Of(line, mode));
        HeldMode = mode;
    }

    /// <summary>The held lines belong to the event after all.</summary>
    public void ConfirmHeld(int maxBytes)
    {
        foreach (var held in _held)
        {
            Append(held.ToLine(), held.Mode, maxBytes);
        }

        _held.Clear();
    }

    /// <summary>Takes the held lines away: they begin events of their own.</summary>
    public HeldLine[] TakeHeld()
    {
        var held = _held.ToArray();
        _held.Clear();
        return held;
    }

    /// <summary>The event was sent; the buffer stays for the stream's next line.</summary>
    public void Clear()
    {
        IsActive = false;
        _chunk = null;
        _length = 0;
        _cut = false;
        Lines = 0;
        OriginalLength = 0;
        _timestampLength = 0;
        if (_held.Count > 0)
        {
            _held.Clear();
        }
    }

    /// <summary>Gives the buffer back (the stream went quiet, or the file is done).</summary>
    public void Release()
    {
        Clear();
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }

    private void AppendBytes(ReadOnlySpan<byte> bytes, long originalLength, int maxBytes)
    {
        OriginalLength += originalLength;
        if (_cut)
        {
            return;
        }

        int take = Math.Min(bytes.Length, maxBytes - _length);
        if (take < bytes.Length || originalLength > bytes.Length)
        {
            // Once anything is missing, nothing after it is kept: the message is its first bytes, then the mark.
            _cut = true;
            take = Utf8Tail.CompleteLength(bytes, Math.Max(take, 0));
        }

        if (take <= 0)
        {
            return;
        }

        EnsureCapacity(_length + take, maxBytes);
        bytes[..take].CopyTo(_buffer.AsSpan(_length));
        _length += take;
    }

    /// <summary>Where <paramref name="part"/> begins in <paramref name="chunk"/>, if it lies whole inside it.</summary>
    internal static bool TryLocate(byte[] chunk, ReadOnlySpan<byte> part, out int start)
    {
        if (part.IsEmpty)
        {
            start = 0;
            return true;
        }

        return ((ReadOnlySpan<byte>)chunk).Overlaps(part, out start) && start >= 0 && start <= chunk.Length - part.Length;
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
