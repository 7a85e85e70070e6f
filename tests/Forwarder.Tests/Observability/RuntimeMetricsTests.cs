using System.Globalization;
using Forwarder.Observability;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Shared.Observability;

namespace Forwarder.Tests.Observability;

/// <summary>The GC's figures and the trims on /metrics, as docs/forwarder-resources.md lists them.</summary>
public sealed class RuntimeMetricsTests
{
    [Fact]
    public void TheGcFiguresAndTheTrimsAreOnTheMetrics()
    {
        var clock = new FakeTimeProvider();
        long allocated = 0;
        // A real collection, so that the GC's figures describe one even in a process that has not collected yet.
        using var trimmer = new MemoryTrimmer(clock, NullLogger.Instance, () => allocated, () => GC.Collect());
        allocated += MemoryTrimmer.BurstBytes;
        clock.Advance(MemoryTrimmer.CheckInterval);
        Assert.False(trimmer.Check());
        clock.Advance(MemoryTrimmer.CheckInterval);
        Assert.True(trimmer.Check());

        var m = new PrometheusText();
        RuntimeMetrics.Render(m, trimmer);
        var values = Parse(m.ToString());

        Assert.Equal(1, values["kubesyslog_forwarder_memory_trims_total"]);
        Assert.True(values["dotnet_gc_heap_total_allocated_bytes_total"] > 0);
        Assert.True(values["dotnet_gc_last_collection_memory_committed_size_bytes"] > 0);
        Assert.True(values["dotnet_gc_last_collection_heap_size_bytes"] > 0);
        Assert.True(values["dotnet_gc_last_collection_heap_fragmentation_size_bytes"] >= 0);
        Assert.True(values["dotnet_gc_heap_bytes"] > 0);
        double collections = Enumerable.Range(0, GC.MaxGeneration + 1)
            .Sum(g => values[$"dotnet_gc_collections_total{{gc_heap_generation=\"gen{g}\"}}"]);
        Assert.True(collections > 0, "collections by generation");
    }

    [Fact]
    public void WithoutATrimmerThereIsNoTrimSeries()
    {
        var m = new PrometheusText();
        RuntimeMetrics.Render(m, trimmer: null);
        Assert.DoesNotContain("kubesyslog_forwarder_memory_trims_total", m.ToString(), StringComparison.Ordinal);
        Assert.Contains("dotnet_gc_last_collection_memory_committed_size_bytes ", m.ToString(), StringComparison.Ordinal);
    }

    private static Dictionary<string, double> Parse(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !l.StartsWith('#'))
            .ToDictionary(l => l[..l.LastIndexOf(' ')], l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
}
