using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Forwarder.Enrichment;
using Forwarder.Parsing;

namespace Benchmarks;

/// <summary>
/// The Forwarder's work per line as the tailing loop does it: parse one physical line, then encode the entry as RFC
/// 5424 into the outgoing batch. Lines are ~250 bytes in mklogs.py's shape. The budget is ~400 ns (docker) and
/// ~250 ns (CRI) per line with 0 B allocated.
/// </summary>
[MemoryDiagnoser]
public class ForwarderEncodeBenchmarks
{
    private const string Time = "2026-01-01T00:00:00.000001000Z";
    private const string Payload = "id=000000001 len=200 "
        + "abcdefghijklmnopqrstuvwxyz0123456789-ABCDEFGHIJKLMNOPQRSTUVWXYZ_"
        + "abcdefghijklmnopqrstuvwxyz0123456789-ABCDEFGHIJKLMNOPQRSTUVWXYZ_"
        + "abcdefghijklmnopqrstuvwxyz0123456789-ABCDEFGHIJKLMNOPQRSTUVWXYZ_"
        + "abcdefgh END";

    private static readonly byte[] DockerLine = Encoding.UTF8.GetBytes($"{{\"log\":\"{Payload}\\n\",\"stream\":\"stdout\",\"time\":\"{Time}\"}}");
    private static readonly byte[] DockerEscapedLine = Encoding.UTF8.GetBytes(
        $"{{\"log\":\"\\u001b[32mINFO\\u001b[0m \\\"GET /\\\" {Payload[..170]}\\n\","
        + $"\"stream\":\"stdout\",\"time\":\"{Time}\"}}");
    private static readonly byte[] DockerAttrsLine = Encoding.UTF8.GetBytes(
        $"{{\"log\":\"{Payload[..180]}\\n\",\"stream\":\"stdout\",\"attrs\":{{\"tag\":\"web\"}},\"time\":\"{Time}\"}}");
    private static readonly byte[] CriLine = Encoding.UTF8.GetBytes($"{Time} stdout F {Payload}");
    private static readonly byte[] ReadTime = "2026-01-01T00:00:01.000000+00:00"u8.ToArray();

    private readonly LogLineParser _docker = new(LogFormat.Docker, 1024 * 1024);
    private readonly LogLineParser _cri = new(LogFormat.Cri, 1024 * 1024);
    private readonly EncodingSink _sink = new(new SyslogEncoder(
        new SyslogEncoderOptions { HostName = "node-1.example.internal" },
        new PodIdentity(
            "bench",
            "app-0-7d9f8c6b5d-x0000",
            "main",
            "3f2a9c1e5b7d4e6f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f",
            "00000000-aaaa-bbbb-cccc-000000000000"),
        "main"));

    [Benchmark(Description = "Docker line: parse + encode")]
    public int Docker() => Run(_docker, DockerLine);

    [Benchmark(Description = "Docker line with escapes: parse + encode")]
    public int DockerEscaped() => Run(_docker, DockerEscapedLine);

    [Benchmark(Description = "Docker line with attrs (Utf8JsonReader): parse + encode")]
    public int DockerAttrs() => Run(_docker, DockerAttrsLine);

    [Benchmark(Description = "CRI line: parse + encode")]
    public int Cri() => Run(_cri, CriLine);

    private int Run(LogLineParser parser, byte[] line)
    {
        _sink.Output.ResetWrittenCount();
        parser.ParseLine(line, 0, line.Length, _sink);
        return _sink.Output.WrittenCount;
    }

    /// <summary>The tailing loop's sink: every entry goes straight into the batch buffer.</summary>
    private sealed class EncodingSink(SyslogEncoder encoder) : ILogEntrySink
    {
        public ArrayBufferWriter<byte> Output { get; } = new(64 * 1024);

        public void Add(in LogEntry entry) => encoder.Encode(entry, ReadTime, Output);
    }
}
