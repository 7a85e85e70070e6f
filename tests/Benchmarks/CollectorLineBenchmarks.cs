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
    /// <summary>The long line: a message of 200,000 bytes (a JSON document, a joined trace).</summary>
    private static readonly byte[] LongFrame = [.. TypicalMessage.Frame.AsSpan(0, TypicalMessage.Frame.Length - TypicalMessage.Body.Length),
        .. Enumerable.Repeat((byte)'x', 200_000)];

    private readonly byte[] _line = new byte[LineFormatter.MaxLineLength(LongFrame.Length, Peer.Length)];
    private readonly LineFormatter _file = new(LineFormat.File);
    private readonly LineFormatter _traditional = new(LineFormat.Traditional);

    [Benchmark(Description = "Parse + format line (file format)")]
    public int ParseAndFormatFile() => ParseAndFormat(_file);

    [Benchmark(Description = "Parse + format line (traditional)")]
    public int ParseAndFormatTraditional() => ParseAndFormat(_traditional);

    /// <summary>What the old default pair did with it: the Collector kept its first 64 KiB.</summary>
    [Benchmark(Description = "200,000-byte message cut at 64 KiB")]
    public int LongMessageCut() => ParseAndFormat(_file, LongFrame.AsSpan(0, 64 * 1024), truncated: true);

    /// <summary>The default pair now: the Collector's 260 KiB takes it whole.</summary>
    [Benchmark(Description = "200,000-byte message kept whole")]
    public int LongMessageWhole() => ParseAndFormat(_file, LongFrame, truncated: false);

    private int ParseAndFormat(LineFormatter formatter) => ParseAndFormat(formatter, TypicalMessage.Frame, truncated: false);

    private int ParseAndFormat(LineFormatter formatter, ReadOnlySpan<byte> frame, bool truncated)
    {
        var status = SyslogParser.TryParse(frame, Now, out var header, out var error);
        var context = new FrameContext(Peer, Now, truncated, truncated ? LongFrame.Length : -1);
        return formatter.Write(_line, frame, header, status == OperationStatus.Done ? default : error, context);
    }
}
