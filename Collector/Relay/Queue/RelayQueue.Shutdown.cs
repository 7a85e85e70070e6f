namespace Collector.Relay.Queue;

public sealed partial class RelayQueue
{
    /// <summary>
    /// At shutdown, after the consumer stopped: with a spill directory, writes <paramref name="inFlight"/> (the chunk
    /// taken and not delivered) and then every chunk in memory to a segment in front of those on disk, so the next
    /// start sends them first and in their order; without one, counts them as dropped. Returns them all to the pool.
    /// </summary>
    public async ValueTask PersistAsync(RelayChunk? inFlight)
    {
        Complete();

        // The writer ends once its backlog (newer than anything on disk) is written after the existing segments.
        await _writer.ConfigureAwait(false);
        var chunks = new List<RelayChunk>();
        if (inFlight is { Messages: > 0 })
        {
            chunks.Add(inFlight);
        }
        else
        {
            inFlight?.Return();
        }

        lock (_lock)
        {
            _memory.MoveTo(chunks);
            _backlog.MoveTo(chunks);
        }

        long messages = chunks.Sum(c => (long)c.Messages);
        if (_disk is null)
        {
            DropAtShutdown(messages, "no spill directory");
        }
        else if (chunks.Count == 0 || _disk.WriteFront(chunks))
        {
            // Only now: had the write failed, the in-flight chunk (maybe that record) is still on disk for
            // the next start.
            _disk.Ack();
        }
        else
        {
            DropAtShutdown(messages, "the spill directory cannot be written");
        }

        foreach (var chunk in chunks)
        {
            chunk.Return();
        }
    }

    /// <summary>
    /// The relay was removed: deletes what is queued in memory and on disk, counting it as dropped. After the
    /// consumer stopped.
    /// </summary>
    public void DiscardAll()
    {
        var chunks = new List<RelayChunk>();
        TaskCompletionSource? taker;
        TaskCompletionSource? writer;
        lock (_lock)
        {
            _completed = true;
            _memory.MoveTo(chunks);
            _backlog.MoveTo(chunks);
            taker = TakeWaiter(ref _takeWaiter);
            writer = TakeWaiter(ref _writerWaiter);
        }

        taker?.TrySetResult();
        writer?.TrySetResult();
        long messages = 0;
        foreach (var chunk in chunks)
        {
            messages += chunk.Messages;
            chunk.Return();
        }

        // Waits for a write in progress, whose chunk is then dropped too (counted by the writer).
        messages += _disk?.Discard() ?? 0;
        CountDropped(messages);
        RelayQueueLog.Discarded(_logger, _options.Name, messages);
    }

    /// <summary>
    /// Stops the writer and closes the spill files (they stay for the next start); chunks still in memory are dropped
    /// and counted.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        Complete();
        await _writer.ConfigureAwait(false);
        var chunks = new List<RelayChunk>();
        lock (_lock)
        {
            _memory.MoveTo(chunks);
            _backlog.MoveTo(chunks);
        }

        long messages = chunks.Sum(c => (long)c.Messages);
        foreach (var chunk in chunks)
        {
            chunk.Return();
        }

        DropAtShutdown(messages, "disposed without persisting");
        _disk?.Dispose();
        await _reportTimer.DisposeAsync().ConfigureAwait(false);

        // A summary the timer would have logged later.
        ReportScheduled();
    }

    private void DropAtShutdown(long messages, string reason)
    {
        if (messages > 0)
        {
            CountDropped(messages);
            RelayQueueLog.DroppedAtShutdown(_logger, _options.Name, messages, reason);
        }
    }
}
