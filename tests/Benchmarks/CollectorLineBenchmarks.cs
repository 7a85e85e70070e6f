using System.Buffers;
using BenchmarkDotNet.Attributes;
using Collector.Storage;
using Shared.Syslog;

namespace Benchmarks;

/// <summary>
/// The Collector's work per message, as an ingest loop does it: parse the frame, then format its line into a batch
/// buffer (the default "file" format and the traditional one). The writer's share is one pwritev per up to 1 MiB.
/// </summary>
[MemoryDiagnoser]
public class CollectorLineBenchmarks
{
    private static readonly DateTimeOffset Now = TypicalMessage.Time;
    private static readonly ReadOnlyMemory<byte> Peer = "10.0.0.7"u8.ToArray();
    private readonly byte[] _line = new byte[LineFormatter.MaxLineLength(TypicalMessage.Frame.Length, Peer.Length)];
    private readonly LineFormatter _file = new(LineFormat.File);
    private readonly LineFormatter _traditional = new(LineFormat.Traditional);

    [Benchmark(Description = "Parse + format line (file format)")]
    public int ParseAndFormatFile() => ParseAndFormat(_file);

    [Benchmark(Description = "Parse + format line (traditional)")]
    public int ParseAndFormatTraditional() => ParseAndFormat(_traditional);

    private int ParseAndFormat(LineFormatter formatter)
    {
        var frame = TypicalMessage.Frame.AsSpan();
        var status = SyslogParser.TryParse(frame, Now, out var header, out var error);
        return formatter.Write(_line, frame, header, status == OperationStatus.Done ? default : error, new FrameContext(Peer, Now));
    }
}
