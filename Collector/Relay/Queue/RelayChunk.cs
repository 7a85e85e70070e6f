using System.Buffers;
using System.Buffers.Binary;

namespace Collector.Relay.Queue;

/// <summary>
/// Whole encoded messages for one relay: the unit of queueing, spilling and sending. Each message is stored as
/// [int32 little-endian length][bytes], so a chunk spills to disk as one block and is cut back into messages
/// without parsing syslog. The buffer is pooled: whoever ends a chunk's life (the sender, or the queue when it
/// drops or spills it) returns it.
/// </summary>
public sealed class RelayChunk
{
    /// <summary>
    /// Size rented for ordinary traffic; a chunk for one long message is as large as that message needs.
    /// </summary>
    public const int DefaultSize = 64 * 1024;

    /// <summary>Bytes in front of every message: its length.</summary>
    public const int PrefixLength = sizeof(int);

    private byte[] _buffer;

    // Length of the space handed out by BeginAppend, or -1 when no append is open.
    private int _openAppend = -1;

    private RelayChunk(byte[] buffer) => _buffer = buffer;

    public int Length { get; private set; }

    public int Messages { get; private set; }

    public int Capacity => _buffer.Length;

    /// <summary>Bytes left for one more message after its prefix (0 when not even a prefix fits).</summary>
    public int Available => Math.Max(0, _buffer.Length - Length - PrefixLength);

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    /// <summary>The chunk size that holds one message of <paramref name="messageLength"/> bytes.</summary>
    public static int SizeFor(int messageLength) => checked(messageLength + PrefixLength);

    /// <summary>
    /// Takes over a buffer rented from <see cref="ArrayPool{T}.Shared"/> that already holds <paramref name="messages"/>
    /// prefixed messages in its first <paramref name="length"/> bytes (an ingest batch): no copy, no check. The caller
    /// must not touch the buffer again; <see cref="Return"/> gives it back to the pool.
    /// </summary>
    public static RelayChunk Adopt(byte[] pooled, int length, int messages) =>
        new(pooled) { Length = length, Messages = messages };

    public static RelayChunk Rent(int minimumSize = DefaultSize) =>
        new(ArrayPool<byte>.Shared.Rent(Math.Max(minimumSize, DefaultSize)));

    /// <summary>
    /// Appends one message; false when it does not fit (rent another chunk, sized with <see cref="SizeFor"/> for
    /// a huge one).
    /// </summary>
    public bool TryAppend(ReadOnlySpan<byte> message)
    {
        if (_openAppend >= 0)
        {
            throw new InvalidOperationException("An append begun with BeginAppend is still open.");
        }

        if (message.Length > Available || Length + PrefixLength > _buffer.Length)
        {
            return false;
        }

        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(Length), message.Length);
        message.CopyTo(_buffer.AsSpan(Length + PrefixLength));
        Length += PrefixLength + message.Length;
        Messages++;
        return true;
    }

    /// <summary>
    /// Space for one message of at most <paramref name="maxLength"/> bytes, written in place after its prefix; commit
    /// it with <see cref="EndAppend"/>. Returns an empty span when it does not fit (check <see cref="Available"/> first
    /// when <paramref name="maxLength"/> may be 0).
    /// </summary>
    public Span<byte> BeginAppend(int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        if (_openAppend >= 0)
        {
            throw new InvalidOperationException("An append begun with BeginAppend is still open.");
        }

        if (maxLength > Available || Length + PrefixLength > _buffer.Length)
        {
            return [];
        }

        _openAppend = maxLength;
        return _buffer.AsSpan(Length + PrefixLength, maxLength);
    }

    /// <summary>
    /// Commits the message written into the span from <see cref="BeginAppend"/>; <paramref name="length"/> may be less
    /// than asked for.
    /// </summary>
    public void EndAppend(int length)
    {
        if (_openAppend < 0)
        {
            throw new InvalidOperationException("EndAppend without BeginAppend.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, _openAppend);
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(Length), length);
        Length += PrefixLength + length;
        Messages++;
        _openAppend = -1;
    }

    /// <summary>Appends one slice per message, in order; the slices are valid until <see cref="Return"/>.</summary>
    public void CopyMessagesTo(List<ReadOnlyMemory<byte>> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var memory = _buffer.AsMemory(0, Length);
        int offset = 0;
        while (offset < memory.Length)
        {
            int length = BinaryPrimitives.ReadInt32LittleEndian(memory.Span[offset..]);
            messages.Add(memory.Slice(offset + PrefixLength, length));
            offset += PrefixLength + length;
        }
    }

    /// <summary>
    /// Rebuilds a chunk from its <see cref="Memory"/> read back from disk; throws when the bytes do not hold exactly
    /// that many messages.
    /// </summary>
    public static RelayChunk FromSpilled(ReadOnlySpan<byte> bytes, int messages)
    {
        if (!IsWellFormed(bytes, messages))
        {
            throw new ArgumentException($"The bytes do not hold {messages} length-prefixed messages.", nameof(bytes));
        }

        // Right-sized, not DefaultSize: the queue's bound counts capacity, and an ingest batch after a read that
        // brought one short message must not take 64 KiB of it.
        var chunk = new RelayChunk(ArrayPool<byte>.Shared.Rent(Math.Max(bytes.Length, 1)));
        bytes.CopyTo(chunk._buffer);
        chunk.Length = bytes.Length;
        chunk.Messages = messages;
        return chunk;
    }

    /// <summary>
    /// True when the prefixes walk exactly to the end of <paramref name="bytes"/> in <paramref name="messages"/> steps.
    /// </summary>
    public static bool IsWellFormed(ReadOnlySpan<byte> bytes, int messages)
    {
        int offset = 0;
        int count = 0;
        while (offset < bytes.Length)
        {
            if (bytes.Length - offset < PrefixLength)
            {
                return false;
            }

            int length = BinaryPrimitives.ReadInt32LittleEndian(bytes[offset..]);
            if (length < 0 || length > bytes.Length - offset - PrefixLength)
            {
                return false;
            }

            offset += PrefixLength + length;
            count++;
        }

        return count == messages;
    }

    public void Return()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        Length = 0;
        Messages = 0;
        _openAppend = -1;
    }

    /// <summary>The whole buffer, for the spill reader to fill before <see cref="CommitSpilled"/>.</summary>
    internal Memory<byte> RawBuffer => _buffer;

    /// <summary>
    /// Takes <paramref name="length"/> bytes read into <see cref="RawBuffer"/> as the content, if well formed.
    /// </summary>
    internal bool CommitSpilled(int length, int messages)
    {
        if (!IsWellFormed(_buffer.AsSpan(0, length), messages))
        {
            return false;
        }

        Length = length;
        Messages = messages;
        return true;
    }
}
