using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Shared.Syslog;

namespace Benchmarks;

[MemoryDiagnoser]
public class Rfc5424WriteBenchmarks
{
    private static readonly SyslogPriority Priority = new(Facility.Local0, Severity.Informational);
    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private readonly SyslogTimestamp _timestamp = new(TypicalMessage.Time.AddTicks(3_035_100), 6);
    private readonly byte[] _hostName = Encoding.ASCII.GetBytes(TypicalMessage.HostName);
    private readonly byte[] _appName = Encoding.ASCII.GetBytes(TypicalMessage.AppName);
    private readonly byte[] _structuredData = EncodeStructuredData();

    [Benchmark(Description = "Write header (strings) + SD + MSG")]
    public int WriteFromStrings()
    {
        _output.ResetWrittenCount();
        var writer = new Rfc5424Writer(_output);
        writer.WriteHeader(Priority, _timestamp, TypicalMessage.HostName, TypicalMessage.AppName, TypicalMessage.ProcId, string.Empty);
        WriteBody(ref writer);
        return _output.WrittenCount;
    }

    [Benchmark(Description = "Write header (pre-encoded) + SD + MSG")]
    public int WriteFromEncodedHeader()
    {
        _output.ResetWrittenCount();
        var writer = new Rfc5424Writer(_output);
        writer.WriteHeader(Priority, _timestamp, _hostName, _appName, ReadOnlySpan<byte>.Empty, ReadOnlySpan<byte>.Empty);
        WriteBody(ref writer);
        return _output.WrittenCount;
    }

    /// <summary>
    /// The forwarder's path: namespace, pod, container, id and node are the same for every line of a file, so the SD
    /// element is encoded once per file and copied per message.
    /// </summary>
    [Benchmark(Description = "Write header (pre-encoded) + cached SD + MSG")]
    public int WriteWithCachedStructuredData()
    {
        _output.ResetWrittenCount();
        var writer = new Rfc5424Writer(_output);
        writer.WriteHeader(Priority, _timestamp, _hostName, _appName, ReadOnlySpan<byte>.Empty, ReadOnlySpan<byte>.Empty);
        writer.WriteStructuredData(_structuredData);
        writer.WriteMessage(TypicalMessage.Body);
        return _output.WrittenCount;
    }

    private static byte[] EncodeStructuredData()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new Rfc5424Writer(output);
        writer.WriteHeader(Priority, SyslogTimestamp.Nil, "h", "a", "p", "m");
        WriteBody(ref writer);
        var frame = output.WrittenSpan;
        Rfc5424Parser.TryParse(frame, out var header, out _);
        return header.StructuredData.Slice(frame).ToArray();
    }

    private static void WriteBody(ref Rfc5424Writer writer)
    {
        writer.StartElement(TypicalMessage.SdId);
        writer.WriteParameter("namespace", TypicalMessage.Namespace);
        writer.WriteParameter("pod", TypicalMessage.Pod);
        writer.WriteParameter("container", TypicalMessage.Container);
        writer.WriteParameter("container_id", TypicalMessage.ContainerId);
        writer.WriteParameter("node", TypicalMessage.Node);
        writer.EndElement();
        writer.WriteMessage(TypicalMessage.Body);
    }
}
