using BenchmarkDotNet.Attributes;
using Forwarder.Discovery;
using Forwarder.Tailing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Benchmarks;

/// <summary>
/// What one rescan of a node with 300 pods allocates when nothing changed: 600 container logs (two containers per
/// pod) under <c>pods/&lt;ns&gt;_&lt;pod&gt;_&lt;uid&gt;/&lt;container&gt;/0.log</c>, each reached through its
/// <c>containers/&lt;pod&gt;_&lt;ns&gt;_&lt;container&gt;-&lt;id&gt;.log</c> link, as kubelet lays them out. The
/// tailing loop rescans once a second; what a rescan of an unchanged tree allocated is part of what kept the
/// MemoryTrimmer from seeing an idle Forwarder as idle (docs/forwarder-resources.md). <see cref="ScanIntoList"/> is
/// the tailing loop's call (its list kept across scans), <see cref="ScanNewList"/> the call that returns a new list
/// (the only one before). The tree's last change is two seconds old before measuring (the listing cache keeps a
/// directory only then), as a node's directory is between pod starts.
/// </summary>
[MemoryDiagnoser]
public class ForwarderRescanBenchmarks
{
    private readonly List<DiscoveredFile> _found = [];
    private string _root = null!;
    private FileScanner _scanner = null!;

    [Params(600)]
    public int Files { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _root = Directory.CreateTempSubdirectory("rescan-bench-").FullName;
        string containers = Directory.CreateDirectory(Path.Combine(_root, "containers")).FullName;
        for (int i = 0; i < Files; i++)
        {
            int pod = i / 2;
            string container = i % 2 == 0 ? "app" : "sidecar";
            string uid = $"{pod:x8}-aaaa-bbbb-cccc-{pod:x12}";
            string directory = Directory.CreateDirectory(Path.Combine(_root, "pods", $"churn_pod-{pod}_{uid}", container)).FullName;
            string log = Path.Combine(directory, "0.log");
            File.WriteAllText(log, "2026-12-06T21:00:00.000000001Z stdout F a line\n");
            File.CreateSymbolicLink(Path.Combine(containers, $"pod-{pod}_churn_{container}-{i:x64}.log"), log);
        }

        _scanner = new FileScanner([GlobPattern.Parse(containers + "/*.log")], [], null, NullLogger.Instance);

        // The listing cache keeps a directory's entries only once its last change is two seconds old.
        while (!FileStatus.TryGetChangeTime(containers, out long changed)
            || TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds() - (changed / 1_000_000) < 2_500)
        {
            Task.Delay(100).Wait();
        }

        _scanner.Scan(_found);
        _scanner.Scan(_found);
        if (_found.Count != Files)
        {
            throw new InvalidOperationException($"found {_found.Count} files of {Files}");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    [Benchmark]
    public int ScanIntoList()
    {
        _scanner.Scan(_found);
        return _found.Count;
    }

    [Benchmark]
    public int ScanNewList() => _scanner.Scan().Count;
}
