namespace Collector.Storage;

/// <summary>
/// Rides on the last <see cref="LineChunk"/> of a group of lines (a RELP session's commands since its last answer)
/// and completes once the writer has appended that chunk to the messages file, and with <see cref="NeedsSync"/>
/// also fdatasync'd it. The queue is FIFO and the writer appends in order, so every earlier chunk is in the file too.
/// Chunks from TCP and UDP carry none: for them the writer checks one null reference per chunk.
/// </summary>
public sealed class WriteAcknowledgement(bool needsSync)
{
    private readonly TaskCompletionSource _written = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Complete only after the data is on stable storage (<c>--relp-ack-after fsync</c>).</summary>
    public bool NeedsSync => needsSync;

    public Task Written => _written.Task;

    internal void Complete() => _written.TrySetResult();

    /// <summary>
    /// The writer gave up on the chunk (shutdown timeout): the lines are not in the file, the command is not answered.
    /// </summary>
    internal void Abandon() => _written.TrySetCanceled();
}
