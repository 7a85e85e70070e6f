using System.Diagnostics.CodeAnalysis;

namespace Collector.Relay.Queue;

public sealed partial class RelayQueue
{
    /// <summary>A FIFO of chunks with the sums the bounds and counters need; guarded by the queue's lock.</summary>
    private sealed class ChunkList
    {
        private readonly Queue<RelayChunk> _chunks = new();

        public int Count => _chunks.Count;

        /// <summary>Sum of capacities: the memory held, which is what the bounds limit.</summary>
        public long Capacity { get; private set; }

        public long Bytes { get; private set; }

        public long Messages { get; private set; }

        public void Add(RelayChunk chunk)
        {
            _chunks.Enqueue(chunk);
            Capacity += chunk.Capacity;
            Bytes += chunk.Length;
            Messages += chunk.Messages;
        }

        public bool TryTake([NotNullWhen(true)] out RelayChunk? chunk)
        {
            if (!_chunks.TryDequeue(out chunk))
            {
                return false;
            }

            Capacity -= chunk.Capacity;
            Bytes -= chunk.Length;
            Messages -= chunk.Messages;
            return true;
        }

        /// <summary>
        /// Drops the oldest chunks until <paramref name="incoming"/> more fits in <paramref name="bound"/>, or none is
        /// left (one chunk larger than the bound is still queued, alone). Returns the messages dropped.
        /// </summary>
        public long DropOldestFor(long incoming, long bound)
        {
            long dropped = 0;
            while (Capacity + incoming > bound && TryTake(out var oldest))
            {
                dropped += oldest.Messages;
                oldest.Return();
            }

            return dropped;
        }

        public void MoveTo(List<RelayChunk> into)
        {
            while (TryTake(out var chunk))
            {
                into.Add(chunk);
            }
        }
    }
}
