using System.Buffers;
using System.Buffers.Text;
using System.Text;
using BenchmarkDotNet.Attributes;
using Collector.Sources;
using Collector.Storage;
using Shared.Syslog;

namespace Benchmarks;

/// <summary>
/// What origins cost the Collector per message (docs/sources.md), as an ingest loop does the work: parse, admit (the
/// duplicate check), format the line. Side by side: today's message without an origin element and tracking off, the
/// same message with tracking on (what third-party senders pay), and a Forwarder message with its origin element.
/// Every call writes fresh positions into the frame (16 digits each, so the frame keeps its length), so the origin
/// case always takes the "next" path, never the cheaper duplicate one; the other cases write the same digits into MSG.
/// The last benchmark is the background share: the ledger reading one stored line back.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class OriginIngestBenchmarks
{
    private const long FirstPosition = 1_000_000_000_000_000;
    private static readonly DateTimeOffset Now = TypicalMessage.Time;
    private static readonly ReadOnlyMemory<byte> Peer = "10.0.0.7"u8.ToArray();

    private readonly LineFormatter _formatter = new(LineFormat.File);
    private readonly byte[] _plain;
    private readonly byte[] _tagged;
    private readonly int _plainPatch;
    private readonly int _taggedPatch;
    private readonly byte[] _line;
    private readonly byte[] _storedLine;
    private readonly byte[] _taggedStructuredData;
    private readonly SourceMarks _marks = new(TimeProvider.System);
    private readonly SourceLedger _ledger = new(LineFormat.File);

    // Only ever grows: every call is a message past the mark, never a re-send.
    private long _position = FirstPosition;

    public OriginIngestBenchmarks()
    {
        string frame = Encoding.UTF8.GetString(TypicalMessage.Frame);
        int sdEnd = frame.IndexOf("] ", StringComparison.Ordinal) + 1;
        string origin = $"[o@32473 s=\"9f2c41d07e5ab318\" p=\"{FirstPosition}-{FirstPosition}\"]";
        _tagged = Encoding.UTF8.GetBytes(frame.Insert(sdEnd, origin));
        _taggedPatch = sdEnd + origin.IndexOf("p=\"", StringComparison.Ordinal) + 3;

        // The same length without the element: the digits go at the end of MSG.
        _plain = Encoding.UTF8.GetBytes(frame + " " + new string('x', origin.Length - 1));
        _plainPatch = _plain.Length - 33;
        _line = new byte[LineFormatter.MaxLineLength(_tagged.Length, Peer.Length)];
        _storedLine = _line[..Format(_tagged)].ToArray();
        SyslogParser.TryParse(_tagged, Now, out var header, out _);
        _taggedStructuredData = header.StructuredData.Slice(_tagged).ToArray();
    }

    [Benchmark(Baseline = true, Description = "No origin element, tracking off (before)")]
    public int PlainUntracked() => Ingest(_plain, _plainPatch, track: false);

    [Benchmark(Description = "No origin element, tracking on (third-party senders)")]
    public int PlainTracked() => Ingest(_plain, _plainPatch, track: true);

    [Benchmark(Description = "Origin element, tracking on (Forwarder messages)")]
    public int TaggedTracked() => Ingest(_tagged, _taggedPatch, track: true);

    [Benchmark(Description = "Parse only, origin element")]
    public int ParseTagged() => SyslogParser.TryParse(_tagged, Now, out var header, out _) == OperationStatus.Done ? header.StructuredData.Length : 0;

    [Benchmark(Description = "Parse only, no origin element")]
    public int ParsePlain() => SyslogParser.TryParse(_plain, Now, out var header, out _) == OperationStatus.Done ? header.StructuredData.Length : 0;

    [Benchmark(Description = "Origin.TryRead only")]
    public long ReadOrigin() => Origin.TryRead(_taggedStructuredData, out var origin, out _, out _) ? origin.To : 0;

    [Benchmark(Description = "Ledger: one stored line read back (background)")]
    public int LedgerReadBack() => _ledger.ApplyLines(_storedLine, 0);

    private int Ingest(byte[] frame, int patch, bool track)
    {
        long from = _position;
        _position += 100;
        Utf8Formatter.TryFormat(from, frame.AsSpan(patch), out _);
        Utf8Formatter.TryFormat(_position, frame.AsSpan(patch + 17), out _);
        var span = frame.AsSpan();
        var status = SyslogParser.TryParse(span, Now, out var header, out var error);
        if (track && status == OperationStatus.Done && !header.StructuredData.IsEmpty && !_marks.Admit(header.StructuredData.Slice(span)))
        {
            return 0;
        }

        return _formatter.Write(_line, span, header, status == OperationStatus.Done ? default : error, new FrameContext(Peer, Now));
    }

    private int Format(byte[] frame)
    {
        var status = SyslogParser.TryParse(frame, Now, out var header, out var error);
        return _formatter.Write(_line, frame, header, status == OperationStatus.Done ? default : error, new FrameContext(Peer, Now));
    }
}
