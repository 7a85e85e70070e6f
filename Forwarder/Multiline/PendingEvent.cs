using System.Buffers;
using System.Runtime.CompilerServices;
using Forwarder.Parsing;

namespace Forwarder.Multiline;

/// <summary>
/// One stream's event being joined: its lines separated by '\n' in a rented buffer (kept while lines keep coming,
/// returned once the stream goes quiet), the file range it spans, and lines held until the next one decides.
/// Past the byte limit lines are only counted: the event is sent cut and marked, as a cut line is.
/// </summary>
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

    public ReadOnlySpan<byte> Timestamp => ((ReadOnlySpan<byte>)_timestamp)[.._timestampLength];

    public ReadOnlySpan<byte> Content => _buffer.AsSpan(0, _length);

    /// <summary>The mode to classify the next line in: the held lines' if there are any.</summary>
    public EventMode CurrentMode => _held.Count > 0 ? HeldMode : Mode;

    public void Start(in EventLine line, EventMode mode, int maxBytes)
    {
        IsActive = true;
        Mode = mode;
        FirstOffset = line.Offset;
        LastEnd = line.End;
        Lines = 1;
        Partial = line.Partial;
        _length = 0;
        _cut = false;
        OriginalLength = 0;
        _timestampLength = line.Timestamp.Length <= MaxTimestampLength ? line.Timestamp.Length : 0;
        line.Timestamp[.._timestampLength].CopyTo(_timestamp);
        AppendBytes(line.Content, line.OriginalLength, maxBytes);
    }

    public void Append(in EventLine line, EventMode mode, int maxBytes)
    {
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
