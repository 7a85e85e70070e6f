using System.Text;
using BenchmarkDotNet.Attributes;
using Shared.Observability;

namespace Benchmarks;

/// <summary>
/// One scrape of <c>/metrics</c> in the Collector's shape (<see cref="ScrapeShape"/>: 58 families and 55 series where
/// the Collector has 57 and 54, plus 13 series per relay), rendered to UTF-8 bytes by our <see cref="PrometheusText"/>
/// (what <c>CollectorMetrics.Render</c> does, then the response's encoding) against prometheus-net 8.2.1 (a registry
/// built once, each value copied into it by a before-collect callback, as our counters live in the hot paths' own
/// fields). docs/design.md (Libraries) has the numbers. Run: <c>--filter '*MetricsExposition*' --inProcess</c>.
/// </summary>
[MemoryDiagnoser]
public class MetricsExpositionBenchmarks : IDisposable
{
    private ScrapeShape _shape = null!;
    private PrometheusNetScrape _prometheusNet = null!;
    private readonly MemoryStream _output = new();

    [Params(0, 20)]
    public int Relays { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _shape = new ScrapeShape(Relays);
        _prometheusNet = new PrometheusNetScrape(_shape);
    }

    [Benchmark(Baseline = true)]
    public long Ours()
    {
        _shape.Advance();
        var m = new PrometheusText();
        foreach (var family in _shape.Families)
        {
            foreach (var series in family.Series)
            {
                if (family.Counter)
                {
                    m.Counter(family.Name, family.Help, series.Value, series.Labels);
                }
                else
                {
                    m.Gauge(family.Name, family.Help, series.Value, series.Labels);
                }
            }
        }

        _output.SetLength(0);
        byte[] bytes = Encoding.UTF8.GetBytes(m.ToString());
        _output.Write(bytes);
        return _output.Length;
    }

    [Benchmark]
    public long PrometheusNet()
    {
        _shape.Advance();
        _output.SetLength(0);
        _prometheusNet.WriteTo(_output);
        return _output.Length;
    }

    public void Dispose()
    {
        _output.Dispose();
        GC.SuppressFinalize(this);
    }
}
