using Forwarder.Discovery;
using Forwarder.Enrichment;
using Forwarder.Metadata;
using Forwarder.Multiline;
using Forwarder.Parsing;
using Forwarder.RateLimiting;
using Microsoft.Win32.SafeHandles;

namespace Forwarder.Tailing;

/// <summary>
/// One file being read: its open handle (kept after a rename or delete until the file is drained), the offset of the
/// next unread byte, the parser that reassembles runtime partials and the encoder that turns entries into RFC 5424.
/// Lines are split in the tailing loop's shared buffer; an unfinished last line is not consumed but read again with
/// the next chunk, so no per-file line buffer is kept. Entries go through a <see cref="MultilineJoiner"/> unless
/// joining is off for the file. Only the tailing loop calls it, except <see cref="Commit"/>.
/// </summary>
internal sealed partial class FileTailer : ILogEntrySink, IJoinedEventSink, IDisposable
{
    private readonly LogLineParser _parser;
    private MultilineJoiner? _joiner;
    private SyslogEncoder _encoder;
    private SafeFileHandle? _handle;
    private ReadContext? _context;
    private long _committed;
    private int _batchesOut;
    private int _epoch;
    private readonly string _node;

    public FileTailer(
        DiscoveredFile file,
        long startOffset,
        FileFingerprint? fingerprint,
        SyslogEncoderOptions encoderOptions,
        int maxLineSize,
        DateTime discoveredAtUtc,
        MultilineSettings? multiline = null,
        MetadataGate? metadata = null,
        RateLimits? limits = null)
    {
        DiscoveredAtUtc = discoveredAtUtc;
        File = file;
        Identity = new FileKey(file.Status.Device, file.Status.Inode);
        ReadOffset = startOffset;
        _committed = startOffset;
        _sentEnd = startOffset;
        _node = encoderOptions.HostName;
        Fingerprint = fingerprint ?? default;
        var pod = KubernetesPath.FromPaths(file.Chain);
        _parser = new LogLineParser(LogFormat.Auto, maxLineSize);
        _encoderOptions = encoderOptions;
        _appName = pod?.Container ?? AppNameOf(file.Path);
        _gate = metadata ?? MetadataGate.Off;
        _encoder = new SyslogEncoder(encoderOptions, pod, _appName);
        _joiner = multiline?.JoinerFor(pod, maxLineSize);
        Pod = pod;
        _multiline = multiline;
        _maxLineSize = maxLineSize;
        _limits = limits ?? RateLimits.Off;
        Limit = _limits.For(pod);
    }

    public DiscoveredFile File { get; private set; }

    /// <summary>
    /// When this Forwarder first saw the file (wall clock): generations rotated after that are newer.
    /// </summary>
    public DateTime DiscoveredAtUtc { get; }

    public FileKey Identity { get; }

    public PodIdentity? Pod { get; }

    /// <summary>
    /// The next byte to read: everything before it was parsed (an entry still being reassembled may hold some).
    /// </summary>
    public long ReadOffset { get; private set; }

    /// <summary>
    /// Offset of the first byte not yet known to be on a collector's socket; what a checkpoint saves.
    /// </summary>
    public long CommittedOffset => Interlocked.Read(ref _committed);

    public FileFingerprint Fingerprint { get; private set; }

    /// <summary>Size at the last look (for the lag metric).</summary>
    public long Size { get; private set; }

    public bool IsOpen => _handle is not null;

    /// <summary>Closed after draining; only its last batches may still be on their way.</summary>
    public bool IsClosed { get; private set; }

    /// <summary>No discovered path leads to this file any more (renamed away or deleted) since this time.</summary>
    public long? GoneSince { get; private set; }

    public long LastData { get; private set; }

    /// <summary>When opening failed: not before this timestamp again.</summary>
    public long RetryOpenAt { get; private set; }

    public bool OpenFailedLogged { get; private set; }

    public void Seen(DiscoveredFile file)
    {
        File = file;
        GoneSince = null;
    }

    public void MarkGone(long now) => GoneSince ??= now;

    /// <summary>
    /// The file was renamed to <paramref name="realPath"/> before it could be opened (same identity).
    /// </summary>
    public void MovedTo(string realPath) => File = File with { Chain = [File.Path, realPath] };

    /// <summary>
    /// Opens the file if needed; false (to be retried at <see cref="RetryOpenAt"/>) when it cannot be read.
    /// </summary>
    public bool TryOpen(long now, long retryAfter, out Exception? error)
    {
        error = null;
        if (_handle is not null)
        {
            return true;
        }

        try
        {
            var handle = System.IO.File.OpenHandle(File.RealPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var status = FileStatus.Of(handle);
            if (!status.IsSameFileAs(File.Status))
            {
                // The path was replaced between the scan and now: the next scan sees the new file.
                handle.Dispose();
                RetryOpenAt = now;
                return false;
            }

            _handle = handle;
            Size = status.Size;
            if (!Fingerprint.IsComplete && Fingerprint.Length < status.Size)
            {
                Fingerprint = FileFingerprint.Read(handle);
            }

            if (ReadOffset > status.Size)
            {
                // Shrunk since the checkpoint (truncated while we were down): its content is new.
                Restart();
            }

            OpenFailedLogged = false;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = OpenFailedLogged ? null : e;
            OpenFailedLogged = true;
            RetryOpenAt = now + retryAfter;
            return false;
        }
    }

    /// <summary>
    /// Called by the shipper once the lines up to <paramref name="offset"/> were written to a socket.
    /// </summary>
    public void Commit(long offset, int epoch)
    {
        Interlocked.Decrement(ref _batchesOut);
        // A batch from before a truncation carries offsets into content that is gone.
        if (epoch == Volatile.Read(ref _epoch))
        {
            Interlocked.Exchange(ref _committed, offset);
        }
    }

    /// <summary>
    /// The offset a checkpoint may claim after what was parsed so far: not past an entry still being reassembled, nor
    /// past the first line of an event still being joined.
    /// </summary>
    public long ProgressOffset
    {
        get
        {
            long offset = _parser.PendingOffset is long pending ? Math.Min(pending, ReadOffset) : ReadOffset;
            return _joiner?.PendingOffset is long joining ? Math.Min(joining, offset) : offset;
        }
    }

    public int Epoch => _epoch;

    /// <summary>Looks at the file's size again (for the lag metric) while it is being read.</summary>
    public void RefreshSize()
    {
        if (_handle is not null)
        {
            Size = FileStatus.Of(_handle).Size;
        }
    }

    public void Dispose()
    {
        _handle?.Dispose();
        _handle = null;
        IsClosed = true;
    }

    void ILogEntrySink.Add(in LogEntry entry)
    {
        if (_joiner is null)
        {
            Send(entry, EntryEnd);
            return;
        }

        _joiner.Add(entry, EntryEnd, _context!.Now, this);
    }

    void IJoinedEventSink.Emit(in LogEntry entry, long end) => Send(entry, end);

    private void Send(in LogEntry entry, long end)
    {
        var context = _context!;
        if (!CountMetadata(entry.Stream))
        {
            return;
        }

        var batch = context.Batch!;
        _encoder.Encode(entry, context.ReadTime, NextOrigin(end), batch);
        batch.EndMessage();
        context.Counters.AddLine(entry.Truncated, entry.Partial, entry.Malformed);
    }

    private static string AppNameOf(string path)
    {
        string name = Path.GetFileName(path);
        int dot = name.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 ? name[..dot] : name;
    }

    private void Restart()
    {
        if (_context is not null)
        {
            // Joined lines were read whole before the truncation and cannot be read again: send what there is.
            _joiner?.FlushAll(_context.Now, this);
        }

        ReadOffset = 0;
        _parser.Reset();
        _joiner?.Reset();
        Interlocked.Increment(ref _epoch);
        Interlocked.Exchange(ref _committed, 0);
        Fingerprint = default;
        RestartOrigin();
    }
}

/// <summary>A file as the kernel knows it: the same device and inode, whatever path leads there.</summary>
internal readonly record struct FileKey(ulong Device, ulong Inode);
