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
}
