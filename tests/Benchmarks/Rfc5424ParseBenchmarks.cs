using System.Buffers;
using BenchmarkDotNet.Attributes;
using Shared.Syslog;

namespace Benchmarks;

[MemoryDiagnoser]
public class Rfc5424ParseBenchmarks
{
    private readonly byte[] _frame = TypicalMessage.Frame;

    [Benchmark(Description = "Parse header + SD (validated)")]
    public int ParseHeaderAndStructuredData()
    {
        Rfc5424Parser.TryParse(_frame, out var header, out _);
        return header.Message.Length;
    }

    [Benchmark(Description = "Parse + read the 5 SD params")]
    public int ParseAndReadParameters()
    {
        if (Rfc5424Parser.TryParse(_frame, out var header, out _) != OperationStatus.Done)
        {
            return -1;
        }

        int total = 0;
        var reader = new StructuredDataReader(header.StructuredData.Slice(_frame));
        while (reader.ReadElement(out _))
        {
            while (reader.ReadParameter(out var name, out var value))
            {
                total += name.Length + value.Length;
            }
        }

        return total;
    }
}
