using System.Buffers;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Shared.Framing;

namespace Benchmarks;

/// <summary>Frames a 4 MiB buffer of typical messages; the GB/s column is buffer bytes / mean time.</summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class FramingBenchmarks
{
    public const int BufferBytes = 4 * 1024 * 1024;

    private ReadOnlySequence<byte> _octetCounted;
    private ReadOnlySequence<byte> _lines;

    [GlobalSetup]
    public void Setup()
    {
        _octetCounted = new ReadOnlySequence<byte>(Fill(SyslogFraming.OctetCounting));
        _lines = new ReadOnlySequence<byte>(Fill(SyslogFraming.LineFeed));
    }

    [Benchmark(Description = "Octet-counting framer")]
    public int OctetCounting()
    {
        var buffer = _octetCounted;
        int frames = 0;
        while (OctetCountingFramer.TryReadFrame(ref buffer, 65536, out _, out _) == OperationStatus.Done)
        {
            frames++;
        }

        return frames;
    }

    [Benchmark(Description = "Line (LF) framer")]
    public int LineFeed()
    {
        var buffer = _lines;
        int frames = 0;
        while (LineFramer.TryReadFrame(ref buffer, 65536, out _, out _) == OperationStatus.Done)
        {
            frames++;
        }

        return frames;
    }

    [Benchmark(Description = "Auto-detecting reader, octet-counted")]
    public int AutoDetectOctetCounted() => ReadAll(_octetCounted);

    [Benchmark(Description = "Auto-detecting reader, LF")]
    public int AutoDetectLines() => ReadAll(_lines);

    private static int ReadAll(ReadOnlySequence<byte> buffer)
    {
        var reader = new SyslogFrameReader();
        int frames = 0;
        while (reader.TryReadFrame(ref buffer, out _, out _) == OperationStatus.Done)
        {
            frames++;
        }

        return frames;
    }

    private static byte[] Fill(SyslogFraming framing)
    {
        var writer = new ArrayBufferWriter<byte>(BufferBytes + 1024);
        while (writer.WrittenCount < BufferBytes - 1024)
        {
            FrameWriter.Write(writer, TypicalMessage.Frame, framing);
        }

        return writer.WrittenSpan.ToArray();
    }

    private sealed class ThroughputConfig : ManualConfig
    {
        public ThroughputConfig() => AddColumn(new GigabytesPerSecondColumn());
    }

    private sealed class GigabytesPerSecondColumn : IColumn
    {
        public string Id => nameof(GigabytesPerSecondColumn);

        public string ColumnName => "GB/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "Buffer bytes (≈4 MiB) framed per second, 10^9 bytes";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
            return mean is > 0 ? (BufferBytes / mean.Value).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) : "-";
        }

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
