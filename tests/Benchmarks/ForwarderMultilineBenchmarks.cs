using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Forwarder.Enrichment;
using Forwarder.Multiline;
using Forwarder.Parsing;

namespace Benchmarks;

/// <summary>
/// The cost of <c>--multiline auto</c> on ordinary lines: the tailing loop's work per line (parse, then encode into
/// the batch) with joining off and with every preset on. With <c>auto</c> each line waits in its stream's pending event
/// (one copy) until the next line says it is not a continuation, so one call parses a line and encodes the one before
/// it. The lines cycle through shapes a node sees (nginx, klog, JSON, logfmt, an indented line), so the presets'
/// checks meet more than one first byte. The budget: auto ≥ 0.9× the rate of off. With
/// <see cref="StderrEvery"/> = 20 every 20th line is on stderr: each such line may still be the start of a longer
/// event, so the stdout lines after it wait (copied) until the next stderr line ends it — the worst case of sending
/// events in the order of their ends (MultilineJoiner.Order.cs). The lines lie one after another in a 256 KiB chunk, as
/// in the tailing loop's read buffer (each call parses the next line of the chunk, and starts it again at its end), and
/// the joiner is told when the chunk begins and ends, as the tailer tells it.
/// </summary>
[MemoryDiagnoser]
public class ForwarderMultilineBenchmarks
{
    private const string Time = "2026-01-01T00:00:00.000001000Z";

    private static readonly string[] Messages =
    [
        "10.1.2.3 - - [06/Dec/2026:09:00:01 +0000] \"GET /api/v1/cart HTTP/1.1\" 200 5124 \"-\" "
            + "\"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\"",
        "I1206 09:05:32.123456       1 cart_controller.go:118] \"Reconciling\" cart=\"shop/cart-3\" duration=\"12ms\" attempt=1 generation=42",
        "{\"time\":\"2026-12-06T09:00:01.5Z\",\"level\":\"info\",\"msg\":\"order created\",\"trace_id\":\"4bf92f3577b34da6\",\"duration_ms\":31}",
        "time=2026-12-06T09:00:01.566Z level=info msg=\"payment at gateway handled\" at=handler.go:88 user=4711 amount=12.30 currency=EUR",
        "    at the moment 3 workers are idle (pool=default), queue depth 0, oldest job 0s, next scheduled run in 14s as configured",
    ];

    private const int ChunkBytes = 256 * 1024;

    private readonly byte[][] _lines = [.. Messages.Select(m => Encoding.UTF8.GetBytes($"{Time} stdout F {m}"))];
    private readonly byte[] _stderrLine = Encoding.UTF8.GetBytes($"{Time} stderr F connection to db-0 reset, retrying in 250ms");
    private readonly LogLineParser _parser = new(LogFormat.Cri, 1024 * 1024);
    private readonly byte[] _chunk = new byte[ChunkBytes];
    private (int Start, int Length)[] _chunkLines = [];
    private EncodingSink _sink = null!;
    private int _next;
    private long _offset;

    [Params("off", "auto")]
    public string Multiline { get; set; } = "off";

    /// <summary>0: every line on stdout; N: every Nth line on stderr.</summary>
    [Params(0, 20)]
    public int StderrEvery { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var encoder = new SyslogEncoder(
            new SyslogEncoderOptions { HostName = "node-1.example.internal" },
            new PodIdentity(
                "bench",
                "app-0-7d9f8c6b5d-x0000",
                "main",
                "3f2a9c1e5b7d4e6f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f",
                "00000000-aaaa-bbbb-cccc-000000000000"),
            "main");
        if (!MultilineSpec.TryParse(Multiline, out var spec, out string? why))
        {
            throw new InvalidOperationException(why);
        }

        var rule = spec.CreateRule();
        _sink = new EncodingSink(encoder, rule is null ? null : new MultilineJoiner(rule, 1024 * 1024, 500, TimeSpan.FromSeconds(1)));
        FillChunk();
    }

    [Benchmark(Description = "CRI line: parse + (join) + encode")]
    public int Cri()
    {
        var (start, length) = _chunkLines[_next];
        _sink.Output.ResetWrittenCount();
        _sink.End = _offset + length + 1;
        if (_next == 0)
        {
            _sink.Joiner?.BeginChunk(_chunk);
        }

        _parser.ParseLine(_chunk.AsSpan(start, length), _offset, length, _sink);
        _offset = _sink.End;
        if (_next == _chunkLines.Length - 1)
        {
            // As the tailer does before it reads the next chunk into its buffer.
            _sink.Joiner?.EndChunk();
            _next = 0;
        }
        else
        {
            _next++;
        }

        return _sink.Output.WrittenCount;
    }

    private void FillChunk()
    {
        var lines = new List<(int, int)>();
        int at = 0;
        int shape = 0;
        while (true)
        {
            byte[] line;
            if (StderrEvery > 0 && (lines.Count + 1) % StderrEvery == 0)
            {
                line = _stderrLine;
            }
            else
            {
                line = _lines[shape];
                shape = shape == _lines.Length - 1 ? 0 : shape + 1;
            }

            if (at + line.Length + 1 > _chunk.Length)
            {
                break;
            }

            line.CopyTo(_chunk, at);
            _chunk[at + line.Length] = (byte)'\n';
            lines.Add((at, line.Length));
            at += line.Length + 1;
        }

        _chunkLines = [.. lines];
    }

    /// <summary>The tailing loop's sink: through the joiner when there is one, then into the batch buffer.</summary>
    private sealed class EncodingSink(SyslogEncoder encoder, MultilineJoiner? joiner) : ILogEntrySink, IJoinedEventSink
    {
        private static readonly byte[] ReadTime = "2026-01-01T00:00:01.000000+00:00"u8.ToArray();

        public ArrayBufferWriter<byte> Output { get; } = new(64 * 1024);

        public long End { get; set; }

        public MultilineJoiner? Joiner => joiner;

        public void Add(in LogEntry entry)
        {
            if (joiner is null)
            {
                encoder.Encode(entry, ReadTime, Output);
            }
            else
            {
                joiner.Add(entry, End, 0, this);
            }
        }

        public void Emit(in LogEntry entry, long end) => encoder.Encode(entry, ReadTime, Output);
    }
}
