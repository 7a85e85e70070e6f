using System.Threading.Channels;

namespace Collector.Storage;

/// <summary>
/// The bounded queue between the ingest loops and the one writer. Full mode is Wait: a TCP connection that cannot
/// hand over its chunk stops reading its socket, so a slow disk pauses the senders instead of dropping their lines.
/// The bound is in chunks of at most <see cref="LineChunk.DefaultSize"/> for ordinary traffic, sized from bytes.
/// </summary>
public sealed class StorageChannel
{
    private readonly Channel<LineChunk> _channel;
    private long _queuedBytes;

    public StorageChannel(long maxBytes)
    {
        int capacity = (int)Math.Clamp(maxBytes / LineChunk.DefaultSize, 4, 1 << 20);
        _channel = Channel.CreateBounded<LineChunk>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
        Capacity = capacity;
    }

    public int Capacity { get; }

    public int Count => _channel.Reader.Count;

    public long QueuedBytes => Interlocked.Read(ref _queuedBytes);

    public ChannelReader<LineChunk> Reader => _channel.Reader;

    /// <summary>
    /// Hands a chunk to the writer, waiting while the queue is full. Throws once the queue is completed.
    /// </summary>
    public ValueTask WriteAsync(LineChunk chunk, CancellationToken cancellationToken = default)
    {
        Interlocked.Add(ref _queuedBytes, chunk.Length);
        if (_channel.Writer.TryWrite(chunk))
        {
            return ValueTask.CompletedTask;
        }

        return WaitAndWriteAsync(chunk, cancellationToken);
    }

    /// <summary>Called by the writer for each chunk it takes.</summary>
    public void Taken(LineChunk chunk) => Interlocked.Add(ref _queuedBytes, -chunk.Length);

    /// <summary>No more chunks will come: the writer drains what is queued and stops.</summary>
    public void Complete() => _channel.Writer.TryComplete();

    private async ValueTask WaitAndWriteAsync(LineChunk chunk, CancellationToken cancellationToken)
    {
        try
        {
            await _channel.Writer.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Interlocked.Add(ref _queuedBytes, -chunk.Length);
            throw;
        }
    }
}
