using System.Buffers;
using BenchmarkDotNet.Attributes;
using Collector.Ingest;
using Collector.Storage;
using Shared.Framing;
using Shared.Relp;

namespace Benchmarks;

/// <summary>
/// RELP against plain octet-counted TCP on the same 4 MiB of typical messages, measured side by side: framing alone,
/// and the Collector's whole per-message path (frame → parse → format into chunks → hand over), where RELP adds the
/// session's txnr check, a write acknowledgement per run of commands and the <c>200 OK</c> answers. The writer is
/// emulated by draining the storage queue and completing the acknowledgements (its pwritev is the same for both).
/// </summary>
[MemoryDiagnoser]
public class RelpBenchmarks
{
    public const int BufferBytes = FramingBenchmarks.BufferBytes;

    /// <summary>
    /// What one socket read hands the loop at most (Kestrel's pipe segments are 4 KiB; reads of 64 KiB are common).
    /// </summary>
    private const int ReadSize = 64 * 1024;

    private static readonly DateTimeOffset Now = TypicalMessage.Time;
    private readonly ArrayBufferWriter<byte> _answers = new(1 << 20);
    private byte[] _relp = [];
    private byte[] _octetCounted = [];
    private StorageChannel _queue = null!;
    private LineFormatter _formatter = null!;
    private IngestCounters _counters = null!;

    [GlobalSetup]
    public void Setup()
    {
        var relp = new ArrayBufferWriter<byte>(BufferBytes + 4096);
        var octets = new ArrayBufferWriter<byte>(BufferBytes + 4096);
        RelpFrameWriter.Write(relp, 1, "open"u8, RelpOffers.Ours.ToBytes());
        for (int txnr = 2; relp.WrittenCount < BufferBytes; txnr++)
        {
            RelpFrameWriter.Write(relp, txnr, "syslog"u8, TypicalMessage.Frame);
            FrameWriter.WriteOctetCounted(octets, TypicalMessage.Frame);
        }

        _relp = relp.WrittenSpan.ToArray();
        _octetCounted = octets.WrittenSpan.ToArray();
        _queue = new StorageChannel(4L << 30);
        _formatter = new LineFormatter(LineFormat.File);
        _counters = new IngestCounters("bench");
    }

    [Benchmark(Baseline = true, Description = "Octet-counting framer (TCP)")]
    public int FrameOctetCounted()
    {
        var buffer = new ReadOnlySequence<byte>(_octetCounted);
        int frames = 0;
        while (OctetCountingFramer.TryReadFrame(ref buffer, 65536, out _, out _) == OperationStatus.Done)
        {
            frames++;
        }

        return frames;
    }

    [Benchmark(Description = "RELP frame reader")]
    public int FrameRelp()
    {
        var buffer = new ReadOnlySequence<byte>(_relp);
        var reader = new RelpFrameReader();
        int frames = 0;
        while (reader.TryReadFrame(ref buffer, out _, out _) == OperationStatus.Done)
        {
            frames++;
        }

        return frames;
    }

    [Benchmark(Description = "TCP ingest: frame+parse+format+hand over")]
    public int IngestTcp()
    {
        using var lines = new IngestSession(_formatter, _queue, _counters, 65536);
        int lineCount = 0;
        for (int offset = 0; offset < _octetCounted.Length;)
        {
            var buffer = new ReadOnlySequence<byte>(_octetCounted, offset, Math.Min(ReadSize, _octetCounted.Length - offset));
            long before = buffer.Length;
            lines.ReadFrames(ref buffer, Now, out _);
            offset += (int)(before - buffer.Length);
            lines.FlushAsync().AsTask().GetAwaiter().GetResult();
            lineCount += Drain();
        }

        return lineCount;
    }

    [Benchmark(Description = "RELP ingest: frame+parse+format+hand over+ack+200 OK")]
    public int IngestRelp()
    {
        using var lines = new IngestSession(_formatter, _queue, _counters, 65536);
        var session = new RelpServerSession(lines, new RelpCounters(), ackAfterSync: false, 65536);
        _answers.ResetWrittenCount();
        int lineCount = 0;
        for (int offset = 0; offset < _relp.Length;)
        {
            var buffer = new ReadOnlySequence<byte>(_relp, offset, Math.Min(ReadSize, _relp.Length - offset));
            long before = buffer.Length;
            while (session.Reader.TryReadFrame(ref buffer, out var frame, out _) == OperationStatus.Done)
            {
                session.Handle(frame, Now);
            }

            session.EndRun();
            offset += (int)(before - buffer.Length);
            lines.FlushAsync().AsTask().GetAwaiter().GetResult();
            lineCount += Drain();
            Answer(session.Replies);
            session.Replies.Clear();
        }

        return lineCount;
    }

    /// <summary>
    /// The writer's side without the file: take every chunk, complete its acknowledgement, return its buffer.
    /// </summary>
    private int Drain()
    {
        int count = 0;
        while (_queue.Reader.TryRead(out var chunk))
        {
            _queue.Taken(chunk);
            count += chunk.Lines;
            chunk.Acknowledgement?.Complete();
            chunk.Return();
        }

        return count;
    }

    /// <summary>The responder's side: every run's acknowledgement has completed, so its answers are written.</summary>
    private void Answer(List<RelpReply> replies)
    {
        foreach (var reply in replies)
        {
            if (reply.Acknowledgement is { IsWritten: true })
            {
                int txnr = reply.FirstTxnr;
                for (int i = 0; i < reply.Count; i++)
                {
                    RelpFrameWriter.WriteOk(_answers, txnr);
                    txnr = RelpTxnr.Next(txnr);
                }
            }
            else if (reply.Frame is { } frame)
            {
                _answers.Write(frame);
            }
        }

        if (_answers.WrittenCount > 1 << 19)
        {
            _answers.ResetWrittenCount();
        }
    }
}
