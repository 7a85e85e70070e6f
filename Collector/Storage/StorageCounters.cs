namespace Collector.Storage;

/// <summary>What the writer has done, for /metrics and /readyz.</summary>
public sealed class StorageCounters
{
    private long _linesWritten;
    private long _bytesWritten;
    private long _writes;
    private long _rotations;
    private long _writeErrors;
    private long _fsyncs;
    private long _deletedFiles;
    private long _minFreeDeletedFiles;
    private long _minFreeDeletedBytes;
    private StorageFault? _fault;

    public long LinesWritten => Interlocked.Read(ref _linesWritten);

    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    public long Writes => Interlocked.Read(ref _writes);

    public long Rotations => Interlocked.Read(ref _rotations);

    public long WriteErrors => Interlocked.Read(ref _writeErrors);

    public long Fsyncs => Interlocked.Read(ref _fsyncs);

    public long DeletedFiles => Interlocked.Read(ref _deletedFiles);

    /// <summary>The messages file is open and the last write succeeded.</summary>
    public bool Writable { get; set; }

    /// <summary>Size of the current messages file.</summary>
    public long FileSize { get; set; }

    /// <summary>
    /// Set while writes fail (the lines wait and are retried), cleared by the next write that succeeds.
    /// </summary>
    public StorageFault? Fault => Volatile.Read(ref _fault);

    /// <summary>
    /// Size of the volume holding the messages file, as last measured; -1 before the first measurement.
    /// </summary>
    public long VolumeSize { get; set; } = -1;

    /// <summary>
    /// Bytes of that volume available to the Collector, as last measured; -1 before the first measurement.
    /// </summary>
    public long VolumeAvailable { get; set; } = -1;

    /// <summary>Bytes <c>--min-free</c> keeps free on that volume (0: disabled).</summary>
    public long MinFreeBytes { get; set; }

    /// <summary>Rotated files deleted to keep <c>--min-free</c> bytes free.</summary>
    public long MinFreeDeletedFiles => Interlocked.Read(ref _minFreeDeletedFiles);

    public long MinFreeDeletedBytes => Interlocked.Read(ref _minFreeDeletedBytes);

    public void Wrote(int lines, long bytes)
    {
        Interlocked.Add(ref _linesWritten, lines);
        Interlocked.Add(ref _bytesWritten, bytes);
        Interlocked.Increment(ref _writes);
    }

    public void Rotated() => Interlocked.Increment(ref _rotations);

    public void WriteFailed() => Interlocked.Increment(ref _writeErrors);

    public void Synced() => Interlocked.Increment(ref _fsyncs);

    public void Deleted() => Interlocked.Increment(ref _deletedFiles);

    public void DeletedForMinFree(long bytes)
    {
        Interlocked.Increment(ref _minFreeDeletedFiles);
        Interlocked.Add(ref _minFreeDeletedBytes, bytes);
    }

    /// <summary>A write failed: the fault is recorded (its start kept while failures go on).</summary>
    public StorageFault Failing(Exception exception, DateTimeOffset now)
    {
        var fault = StorageFault.Of(exception, now, Fault);
        Volatile.Write(ref _fault, fault);
        return fault;
    }

    /// <summary>A write succeeded again.</summary>
    public void Recovered() => Volatile.Write(ref _fault, null);
}
