namespace Forwarder.Tailing;

/// <summary>What the tailing loop did; written by it, read by metrics from any thread.</summary>
internal sealed class TailingCounters
{
    private long _lines;
    private long _bytes;
    private long _truncatedLines;
    private long _partialLines;
    private long _malformedLines;
    private long _fileTruncations;
    private long _filesOpened;
    private long _filesClosed;
    private long _openErrors;
    private long _shareWaits;

    /// <summary>Log entries read (after reassembly), i.e. messages encoded.</summary>
    public long Lines => Interlocked.Read(ref _lines);

    /// <summary>File bytes consumed.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Entries cut at the size limit (sent, marked truncated).</summary>
    public long TruncatedLines => Interlocked.Read(ref _truncatedLines);

    /// <summary>Entries sent without their final fragment (flush timeout or file gone).</summary>
    public long PartialLines => Interlocked.Read(ref _partialLines);

    /// <summary>Lines not in their file's format, sent raw.</summary>
    public long MalformedLines => Interlocked.Read(ref _malformedLines);

    /// <summary>Files that shrank under us (copytruncate, truncate): read again from the start.</summary>
    public long FileTruncations => Interlocked.Read(ref _fileTruncations);

    public long FilesOpened => Interlocked.Read(ref _filesOpened);

    public long FilesClosed => Interlocked.Read(ref _filesClosed);

    public long OpenErrors => Interlocked.Read(ref _openErrors);

    /// <summary>Turns a file ended because its share of the queue was unconfirmed (it had more to read).</summary>
    public long ShareWaits => Interlocked.Read(ref _shareWaits);

    public void AddLine(bool truncated, bool partial, bool malformed)
    {
        _lines++;
        if (truncated)
        {
            _truncatedLines++;
        }

        if (partial)
        {
            _partialLines++;
        }

        if (malformed)
        {
            _malformedLines++;
        }
    }

    // One writer (the tailing loop): plain increments above, interlocked adds here; 64-bit reads never tear on
    // x64/arm64.
    public void AddBytes(long bytes) => Interlocked.Add(ref _bytes, bytes);

    public void AddFileTruncation() => Interlocked.Increment(ref _fileTruncations);

    public void AddFileOpened() => Interlocked.Increment(ref _filesOpened);

    public void AddFileClosed() => Interlocked.Increment(ref _filesClosed);

    public void AddOpenError() => Interlocked.Increment(ref _openErrors);

    public void AddShareWait() => Interlocked.Increment(ref _shareWaits);
}
