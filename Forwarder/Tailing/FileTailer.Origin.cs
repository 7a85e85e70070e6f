using Forwarder.Enrichment;

namespace Forwarder.Tailing;

/// <summary>
/// The origin of each message (docs/sources.md): which source and which bytes of it. Messages of one file account for
/// consecutive ranges: each from where the previous one ended (or where reading started) to the end of its entry's
/// last line, so the Collector can tell a re-sent message (ends at or before what it stored) from a hole.
/// </summary>
internal sealed partial class FileTailer
{
    private SourceOrigin? _origin;
    private long _sentEnd;
    private bool _pathSent;

    /// <summary>The source id, once the first message of the file was made (what a checkpoint keeps).</summary>
    public string? OriginId => _origin?.Id;

    /// <summary>
    /// The file before this one was deleted before it was read to its end: said on this file's first message of the
    /// session (with the path), so the Collector records the gap in that source.
    /// </summary>
    public SourceLoss? LostBefore { get; set; }

    /// <summary>
    /// Where the entries the parser emits next end in the file (after the '\n' of their last line);
    /// set before each parse.
    /// </summary>
    private long EntryEnd { get; set; }

    private EntryOrigin NextOrigin(long end)
    {
        _origin ??= new SourceOrigin(_node, Identity.Device, Identity.Inode, ReadHead(), File.Path);

        // Entries flushed together (partials of two streams) end at the same place: the second accounts for no bytes
        // (an empty range, never taken for a re-send). Joined events come in the order of their ends too
        // (MultilineJoiner.Order.cs).
        long from = Math.Min(_sentEnd, end);
        var origin = new EntryOrigin(_origin, from, end, !_pathSent, _pathSent ? null : LostBefore);
        _sentEnd = Math.Max(_sentEnd, end);
        _pathSent = true;
        return origin;
    }

    /// <summary>
    /// The file's first line (up to <see cref="SourceOrigin.MaxHeadLength"/> bytes): part of the source id.
    /// </summary>
    private byte[] ReadHead()
    {
        var head = new byte[SourceOrigin.MaxHeadLength];
        int n = 0;
        while (n < head.Length && _handle is not null)
        {
            int read = RandomAccess.Read(_handle, head.AsSpan(n), n);
            if (read == 0)
            {
                break;
            }

            n += read;
        }

        return head[..n];
    }

    /// <summary>The file was truncated: what follows is a new source, read from its top.</summary>
    private void RestartOrigin()
    {
        _origin = null;
        _sentEnd = 0;
        _pathSent = false;
    }
}
