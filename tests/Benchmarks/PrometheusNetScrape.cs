using Prometheus;

namespace Benchmarks;

/// <summary>
/// <see cref="ScrapeShape"/> exposed by prometheus-net 8.2.1 the way the Collector would have to: metric objects
/// created once, every value copied in just before each collection (our counters are fields the hot paths own).
/// </summary>
public sealed class PrometheusNetScrape
{
    private readonly CollectorRegistry _registry = Metrics.NewCustomRegistry();

    public PrometheusNetScrape(ScrapeShape shape)
    {
        var factory = Metrics.WithCustomRegistry(_registry);
        var copies = new List<Action>();
        foreach (var family in shape.Families)
        {
            string[] labelNames = family.Series.Length > 0 ? [.. family.Series[0].Labels.Select(l => l.Name)] : [];
            if (family.Counter)
            {
                var counter = factory.CreateCounter(family.Name, family.Help, labelNames);
                foreach (var series in family.Series)
                {
                    var child = counter.WithLabels([.. series.Labels.Select(l => l.Value)]);
                    copies.Add(() => child.IncTo(series.Value));
                }
            }
            else
            {
                var gauge = factory.CreateGauge(family.Name, family.Help, labelNames);
                foreach (var series in family.Series)
                {
                    var child = gauge.WithLabels([.. series.Labels.Select(l => l.Value)]);
                    copies.Add(() => child.Set(series.Value));
                }
            }
        }

        _registry.AddBeforeCollectCallback(() => copies.ForEach(copy => copy()));
    }

    public void WriteTo(Stream output) => _registry.CollectAndExportAsTextAsync(output).GetAwaiter().GetResult();
}
