using System.Buffers;

namespace Collector.Storage;

/// <summary>
/// Whole formatted lines on their way from one ingest loop to the writer: the unit of batching. A connection fills
/// one per read and hands it over, so the writer appends many lines with one system call and a line is never split.
/// The buffer is pooled: whoever ends a chunk's life (the writer, or a loop that cannot hand it over) returns it.
/// </summary>
public sealed class LineChunk
{
    /// <summary>
    /// Size rented for ordinary traffic; a chunk for one long message is as large as that message needs.
    /// </summary>
    public const int DefaultSize = 64 * 1024;

    private byte[] _buffer;

    private LineChunk(byte[] buffer) => _buffer = buffer;

    public int Length { get; private set; }

    public int Lines { get; private set; }

    public int Capacity => _buffer.Length;

    /// <summary>
    /// Completed by the writer once this chunk is in the file (RELP answers wait on it); null for TCP and UDP.
    /// </summary>
    public WriteAcknowledgement? Acknowledgement { get; set; }

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    /// <summary>
    /// A chunk of at least <paramref name="minimumSize"/> bytes (the pool rounds up to a power of two).
    /// </summary>
    public static LineChunk Rent(int minimumSize = DefaultSize) =>
        new(ArrayPool<byte>.Shared.Rent(minimumSize));

    /// <summary>Space for the next line; call <see cref="Commit"/> with what was written.</summary>
    public Span<byte> Free => _buffer.AsSpan(Length);

    public void Commit(int bytes)
    {
        Length += bytes;
        Lines++;
    }

    /// <summary>
    /// Moves the lines into a right-sized buffer when they fill less than a quarter of this one, before the chunk is
    /// queued. A chunk is rented for the longest line its frames could make (four times the frame for escapes, plus
    /// room for the added fields: 4 KiB for a 250-byte message), so a read holding one message, which is every read
    /// from 1,000 senders of 100 messages/s each, would keep 4 KiB queued for a 300-byte line. The large buffer goes
    /// back to the pool on this thread, where the next read rents it again; only the small one crosses to the writer.
    /// </summary>
    public void TrimExcess()
    {
        if (Length == 0 || Length > _buffer.Length / 4)
        {
            return;
        }

        var small = ArrayPool<byte>.Shared.Rent(Length);
        _buffer.AsSpan(0, Length).CopyTo(small);
        ArrayPool<byte>.Shared.Return(Interlocked.Exchange(ref _buffer, small));
    }

    public void Return()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        Length = 0;
        Lines = 0;
        Acknowledgement = null;
    }
}
