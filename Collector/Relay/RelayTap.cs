using System.Buffers;
using System.Buffers.Binary;
using Collector.Relay.Configuration;
using Collector.Relay.Queue;
using Collector.Storage;
using Shared.Syslog;

namespace Collector.Relay;

/// <summary>
/// One ingest loop's side of the relays (the counterpart of its storage chunk): filters each message for each relay,
/// encodes it once per format, and collects it in a per-relay batch that <see cref="Flush"/> hands over after every
/// read, the same rhythm as storage. Nothing here blocks: a relay's queue takes a batch or drops its oldest.
/// Filters see the message as the search API does, as a line of the messages file (<see cref="StoredLine"/>).
/// </summary>
public sealed class RelayTap(RelayFanout fanout) : IDisposable
{
    /// <summary>A batch this large is handed over at once rather than at the end of the read.</summary>
    private const int MaxBatchBytes = RelayChunk.DefaultSize;

    private static readonly LineFormatter FileLines = new(LineFormat.File);

    private readonly ArrayBufferWriter<byte> _rfc5424 = new(4096);
    private readonly ArrayBufferWriter<byte> _rfc3164 = new(4096);
    private RelayTarget[] _relays = [];
    private Batch[] _batches = [];
    private byte[] _line = new byte[4096];

    /// <summary>
    /// Offers one received frame to every relay. <paramref name="fileLine"/> is the frame's line in the messages file
    /// format (without its LF) when storage already wrote one in that format, else empty: it is formatted here, and
    /// only when some relay filters.
    /// </summary>
    public void Add(ReadOnlySpan<byte> frame, in SyslogHeader header, in SyslogParseError error, in FrameContext context, ReadOnlySpan<byte> fileLine)
    {
        var relays = fanout.Current;
        if (!ReferenceEquals(relays, _relays))
        {
            Flush();
            _relays = relays;
            _batches = new Batch[relays.Length];
        }

        if (relays.Length == 0)
        {
            return;
        }

        bool encoded5424 = false, encoded3164 = false;
        ReadOnlySpan<byte> as5424 = default, as3164 = default;
        for (int i = 0; i < relays.Length; i++)
        {
            var relay = relays[i];
            if (relay.Filter is { } filter)
            {
                if (fileLine.IsEmpty)
                {
                    fileLine = FormatFileLine(frame, header, error, context);
                }

                if (!filter.Matches(fileLine, StoredLine.Parse(fileLine)))
                {
                    continue;
                }
            }

            ReadOnlySpan<byte> message;
            if (relay.Definition.Format == RelayFormat.Rfc5424)
            {
                if (!encoded5424)
                {
                    as5424 = RelayEncoder.Encode(RelayFormat.Rfc5424, frame, header, error, context, _rfc5424);
                    encoded5424 = true;
                }

                message = as5424;
            }
            else
            {
                if (!encoded3164)
                {
                    as3164 = RelayEncoder.Encode(RelayFormat.Rfc3164, frame, header, error, context, _rfc3164);
                    encoded3164 = true;
                }

                message = as3164;
            }

            ref var batch = ref _batches[i];
            batch.Append(message);
            if (batch.Length >= MaxBatchBytes)
            {
                batch.HandTo(relay);
            }
        }
    }

    /// <summary>Hands every batch to its relay (called after each read, and when the relay set changes).</summary>
    public void Flush()
    {
        for (int i = 0; i < _batches.Length; i++)
        {
            if (_batches[i].Count > 0)
            {
                _batches[i].HandTo(_relays[i]);
            }
        }
    }

    /// <summary>
    /// Hands over what is batched (the relays get it even when storage could not) and returns the buffers.
    /// </summary>
    public void Dispose()
    {
        Flush();
        for (int i = 0; i < _batches.Length; i++)
        {
            _batches[i].Release();
        }
    }

    private ReadOnlySpan<byte> FormatFileLine(
        ReadOnlySpan<byte> frame,
        scoped in SyslogHeader header,
        scoped in SyslogParseError error,
        scoped in FrameContext context)
    {
        int needed = LineFormatter.MaxLineLength(frame.Length, context.Peer.Length);
        if (_line.Length < needed)
        {
            _line = new byte[Math.Max(needed, _line.Length * 2)];
        }

        int n = FileLines.Write(_line, frame, header, error, context);
        return _line.AsSpan(0, n - 1);
    }

    /// <summary>
    /// Messages for one relay as <c>[int32 length][bytes]</c> records, the layout of a <see cref="RelayChunk"/>, in a
    /// pooled buffer. A batch that fills at least half its buffer is handed over as it is (a busy connection: no copy);
    /// a small one is copied into a right-sized chunk, because the relay's queue counts buffer bytes and an idle
    /// connection's one-message batch must not take a whole buffer of it.
    /// </summary>
    private struct Batch
    {
        private const int MinimumSize = 4096;

        private byte[]? _buffer;

        public int Length { get; private set; }

        public int Count { get; private set; }

        public void Append(ReadOnlySpan<byte> message)
        {
            int needed = Length + sizeof(int) + message.Length;
            if (_buffer is null || _buffer.Length < needed)
            {
                var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(MinimumSize, (_buffer?.Length ?? 0) * 2)));
                if (_buffer is not null)
                {
                    _buffer.AsSpan(0, Length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(_buffer);
                }

                _buffer = larger;
            }

            BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(Length), message.Length);
            message.CopyTo(_buffer.AsSpan(Length + sizeof(int)));
            Length = needed;
            Count++;
        }

        public void Release()
        {
            if (_buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = null;
            }
        }

        public void HandTo(RelayTarget relay)
        {
            var buffer = _buffer!;
            if (Length >= buffer.Length / 2)
            {
                relay.Enqueue(RelayChunk.Adopt(buffer, Length, Count));

                // The connection is busy: the next batch will be as large.
                _buffer = buffer.Length > 4 * MaxBatchBytes ? null : ArrayPool<byte>.Shared.Rent(buffer.Length);
            }
            else
            {
                relay.Enqueue(RelayChunk.FromSpilled(buffer.AsSpan(0, Length), Count));
                if (Length < buffer.Length / 8 && buffer.Length > MinimumSize)
                {
                    // Mostly idle now: keep less.
                    ArrayPool<byte>.Shared.Return(buffer);
                    _buffer = null;
                }
            }

            Length = 0;
            Count = 0;
        }
    }
}
