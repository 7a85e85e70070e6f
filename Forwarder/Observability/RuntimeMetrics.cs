using Shared.Observability;

namespace Forwarder.Observability;

/// <summary>
/// What the GC holds, on <c>/metrics</c>, so resident memory can be split into live objects, garbage and memory the GC
/// keeps committed (docs/forwarder-resources.md). Names follow the runtime's own <c>System.Runtime</c> meter
/// (<c>dotnet.gc.last_collection.heap.size</c>, …) written the Prometheus way.
/// </summary>
internal static class RuntimeMetrics
{
    public static void Render(PrometheusText m, MemoryTrimmer? trimmer)
    {
        // As of the last collection: between collections the heap also holds the garbage allocated since.
        var info = GC.GetGCMemoryInfo();
        m.Gauge("dotnet_gc_heap_bytes", "Bytes on the managed heap now (live objects and garbage not yet collected).", GC.GetTotalMemory(false));
        m.Gauge(
            "dotnet_gc_last_collection_heap_size_bytes",
            "Bytes on the managed heap after the last collection (live objects and fragmentation).",
            info.HeapSizeBytes);
        m.Gauge(
            "dotnet_gc_last_collection_heap_fragmentation_size_bytes",
            "Free space between objects on the managed heap after the last collection.",
            info.FragmentedBytes);
        m.Gauge(
            "dotnet_gc_last_collection_memory_committed_size_bytes",
            "Memory the GC had committed (backed by RAM once touched) after the last collection.",
            info.TotalCommittedBytes);
        m.Counter("dotnet_gc_heap_total_allocated_bytes_total", "Bytes allocated on the managed heap since the start.", GC.GetTotalAllocatedBytes());
        for (int generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            m.Counter(
                "dotnet_gc_collections_total",
                "Garbage collections, by the oldest generation collected.",
                GC.CollectionCount(generation) - (generation < GC.MaxGeneration ? GC.CollectionCount(generation + 1) : 0),
                ("gc_heap_generation", $"gen{generation}"));
        }

        if (trimmer is not null)
        {
            m.Counter(
                "kubesyslog_forwarder_memory_trims_total",
                "Aggressive collections run once the Forwarder was idle after a burst of work, to give memory back.",
                trimmer.Trims);
        }
    }
}
