using System.Buffers;
using Collector.Relay;
using Collector.Storage;
using Shared.Framing;
using Shared.Syslog;

namespace Collector.Ingest;

/// <summary>
/// One ingest loop's side of the pipeline (a TCP connection, or the UDP socket): parses each frame, formats it into
/// the current <see cref="LineChunk"/>, and hands full chunks to storage at <see cref="FlushAsync"/>, which the loop
/// calls after every read. Formatting happens here, in parallel across connections; the writer only appends.
/// </summary>
public sealed class IngestSession : IDisposable
{
    private readonly LineFormatter _formatter;
    private readonly StorageChannel _queue;
    private readonly IngestCounters _counters;
    private readonly RelayTap? _relays;
    private readonly List<LineChunk> _ready = [];
    private LineChunk? _current;
    private byte[]? _scratch;
    private IngestCounters.Tally _tally;

    public IngestSession(LineFormatter formatter, StorageChannel queue, IngestCounters counters, int maxMessageSize, RelayFanout? relays = null)
    {
        _formatter = formatter;
        _relays = relays is null ? null : new RelayTap(relays);
        _queue = queue;
        _counters = counters;
        Frames = new SyslogFrameReader(maxMessageSize, OversizeFrameHandling.Truncate);
    }

    /// <summary>The sender's address as UTF-8 text, for messages without a HOSTNAME.</summary>
    public ReadOnlyMemory<byte> Peer { get; set; }

    /// <summary>
    /// Origin tracking (docs/sources.md): when set, a re-sent message is counted there and not stored again.
    /// </summary>
    public Sources.SourceMarks? Origins { get; init; }

    /// <summary>
    /// With <c>--identity-from-cert</c>: the node the connection's client certificate names; each message's HOSTNAME
    /// is checked against it (docs/security.md). Null: no check.
    /// </summary>
    public Tls.IdentityCheck? Identity { get; init; }

    /// <summary>The last <see cref="Add(ReadOnlySpan{byte}, SyslogFraming, bool, long, DateTimeOffset)"/> refused its
    /// message: its HOSTNAME claimed another node and mismatches are rejected.</summary>
    public bool LastRejected { get; private set; }

    /// <summary>The framer of a TCP stream (kept per connection: it remembers the rest of a truncated frame).</summary>
    public SyslogFrameReader Frames { get; }

    /// <summary>
    /// The size a new chunk is rented at (larger for a message that needs more). TCP keeps the default; a RELP
    /// connection sizes it to what it read, since each read is handed over in its own chunk: 1,000 sessions sending
    /// one message at a time would otherwise hold 64 KiB each for a few hundred bytes.
    /// </summary>
    public int ChunkSize { get; set; } = LineChunk.DefaultSize;

    /// <summary>A chunk is full and waits for <see cref="FlushAsync"/>.</summary>
    public bool HasFullChunk => _ready.Count > 0;

    /// <summary>Messages formatted but not yet handed to storage.</summary>
    public bool HasPending => _current is { Length: > 0 } || _ready.Count > 0;

    /// <summary>Frames and stores every complete frame in <paramref name="buffer"/>, advancing it past them.</summary>
    public OperationStatus ReadFrames(ref ReadOnlySequence<byte> buffer, DateTimeOffset now, out FramingError error)
    {
        while (true)
        {
            var status = Frames.TryReadFrame(ref buffer, out var frame, out error);
            if (status != OperationStatus.Done)
            {
                return status;
            }

            Add(frame.Payload, frame.Framing, frame.IsTruncated, frame.OriginalLength, now);
        }
    }

    /// <summary>
    /// What is left when the stream ends: an LF-framed last line without its LF is a whole message when the sender
    /// closed the stream (as in rsyslog), but marked truncated when <paramref name="cut"/> (we stopped reading: the
    /// rest of the line may still be on its way); an incomplete octet-counted frame is stored marked truncated.
    /// The rest of an already truncated frame is not stored.
    /// </summary>
    public void AddRemainder(ReadOnlySequence<byte> rest, DateTimeOffset now, bool cut)
    {
        if (rest.IsEmpty || Frames.IsSkipping)
        {
            return;
        }

        if ((uint)(rest.FirstSpan[0] - '0') > 9)
        {
            Add(rest, SyslogFraming.LineFeed, truncated: cut, -1, now);
        }
        else if (OctetCountingFramer.TryReadLength(rest, out int length, out int prefix, out _) == OperationStatus.Done)
        {
            Add(rest.Slice(prefix), SyslogFraming.OctetCounting, truncated: true, length, now);
        }
        else
        {
            Add(rest, SyslogFraming.OctetCounting, truncated: true, -1, now);
        }
    }

    /// <summary>
    /// Formats and queues one frame; false when it was a re-send of what was already stored (see
    /// <see cref="Origins"/>).
    /// </summary>
    public bool Add(ReadOnlySequence<byte> payload, SyslogFraming framing, bool truncated, long originalLength, DateTimeOffset now)
    {
        if (payload.IsSingleSegment)
        {
            return Add(payload.FirstSpan, framing, truncated, originalLength, now);
        }

        // A frame split across pipe segments is copied once (Kestrel's HttpParser rule).
        int length = (int)payload.Length;
        if (_scratch is null || _scratch.Length < length)
        {
            _scratch = new byte[Math.Max(length, 4096)];
        }

        payload.CopyTo(_scratch);
        return Add(_scratch.AsSpan(0, length), framing, truncated, originalLength, now);
    }

    /// <summary>
    /// Formats and queues one frame; false when it was a re-send of what was already stored (see
    /// <see cref="Origins"/>).
    /// </summary>
    public bool Add(ReadOnlySpan<byte> frame, SyslogFraming framing, bool truncated, long originalLength, DateTimeOffset now)
    {
        bool parsed = SyslogParser.TryParse(frame, now, out var header, out var error) == OperationStatus.Done;
        LastRejected = false;
        ReadOnlyMemory<byte> spoofedBy = default;
        if (parsed && Identity is { } identity && !identity.Accepts(header.HostName.Slice(frame), out spoofedBy))
        {
            // Counted as received (it was), never stored nor relayed.
            LastRejected = true;
            _tally.Count(framing, header.Format, parsed, truncated);
            _tally.Bytes += frame.Length;
            return false;
        }

        if (parsed && Origins is not null && !header.StructuredData.IsEmpty && !Origins.Admit(header.StructuredData.Slice(frame)))
        {
            // Received (counted as such), but neither stored nor relayed again.
            _tally.Count(framing, header.Format, parsed, truncated);
            _tally.Bytes += frame.Length;
            return false;
        }

        int needed = LineFormatter.MaxLineLength(frame.Length, Peer.Length);
        var chunk = _current;
        if (chunk is null || chunk.Free.Length < needed)
        {
            if (chunk is not null)
            {
                _ready.Add(chunk);
            }

            chunk = _current = LineChunk.Rent(Math.Max(needed, ChunkSize));
        }

        var context = new FrameContext(Peer, now, truncated, originalLength, spoofedBy);
        var line = chunk.Free;
        int written = _formatter.Write(line, frame, header, parsed ? default : error, context);
        chunk.Commit(written);

        // Relays filter on the line in the file format: reuse it when that is what storage writes.
        _relays?.Add(frame, header, parsed ? default : error, context, _formatter.Format == LineFormat.File ? line[..(written - 1)] : default);
        _tally.Count(framing, header.Format, parsed, truncated);
        _tally.Bytes += frame.Length;
        return true;
    }

    /// <summary>
    /// Ends the current chunk with <paramref name="acknowledgement"/> on it, so it completes once every line added so
    /// far is written. When no line is pending (every command of the run was a re-send that <see cref="Origins"/>
    /// dropped), an empty chunk carries it: the queue is FIFO, so it still completes only after everything queued
    /// before it, the originals among that, is in the file.
    /// </summary>
    public void Seal(WriteAcknowledgement acknowledgement)
    {
        var chunk = _current ?? LineChunk.Rent(0);
        chunk.Acknowledgement = acknowledgement;
        _ready.Add(chunk);
        _current = null;
    }

    /// <summary>
    /// Hands what was formatted to storage, waiting while its queue is full (that is the backpressure).
    /// </summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        _counters.Add(ref _tally);
        _relays?.Flush();
        if (_current is { Length: > 0 })
        {
            _ready.Add(_current);
            _current = null;
        }

        while (_ready.Count > 0)
        {
            _ready[0].TrimExcess();
            await _queue.WriteAsync(_ready[0], cancellationToken).ConfigureAwait(false);
            _ready.RemoveAt(0);
        }
    }

    /// <summary>
    /// At the end of a connection, however it ended: frames read before a reset are stored too (a RELP sender gets no
    /// answer for them and sends them again). A storage queue that is closing takes nothing more; that is not an error.
    /// </summary>
    public async Task TryFlushAtEndAsync()
    {
        try
        {
            if (HasPending)
            {
                await FlushAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or System.Threading.Channels.ChannelClosedException)
        {
        }
    }

    /// <summary>Returns buffers that were never handed over (only after a failed <see cref="FlushAsync"/>).</summary>
    public void Dispose()
    {
        _counters.Add(ref _tally);
        foreach (var chunk in _ready)
        {
            chunk.Return();
        }

        _ready.Clear();
        _current?.Return();
        _current = null;
        _relays?.Dispose();
    }
}
