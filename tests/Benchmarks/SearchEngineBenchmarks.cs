using System.IO.Compression;
using System.Text;
using BenchmarkDotNet.Attributes;
using Collector.Configuration;
using Collector.Search;
using Collector.Storage.Index;
using Microsoft.Extensions.Logging.Abstractions;

namespace Benchmarks;

/// <summary>
/// The read side without HTTP: searches and volume counts over 96 MiB of stored lines in the <c>file</c> format
/// (messages, messages.1, messages.2.gz; 200 pods in 20 namespaces over 24 h, as tests/Benchmarks/search/generate.py
/// writes them), indexes built once in the set-up. Run with <c>--inProcess</c> to compare two builds of the engine.
/// <see cref="MessageFirst"/> writes the same lines in the message-first layout (TAB, then tag, priority and SD).
/// </summary>
[MemoryDiagnoser]
public class SearchEngineBenchmarks : IDisposable
{
    private const int PartBytes = 32 << 20;
    private const int LineLength = 250;
    private const long DayNs = 86_400_000_000_000L;
    private static readonly long StartNs = DateTimeOffset
        .Parse("2026-11-21T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture)
        .ToUnixTimeMilliseconds() * 1_000_000;

    private string _dir = string.Empty;
    private IndexStore _store = null!;
    private ReadGate _gate = null!;
    private SearchEngine _engine = null!;
    private VolumeCounter _volume = null!;
    private readonly LogQuery _pod = QueryParser.Parse("{pod=\"ns-07-pod-073\"}");
    private readonly LogQuery _rare = QueryParser.Parse("{} |= \"rare-needle-4242\"");
    private readonly LogQuery _namespace = QueryParser.Parse("{namespace=\"ns-05\"}");
    private readonly LogQuery _filtered = QueryParser.Parse("{namespace=\"ns-05\"} |= \"timeout\"");
    private readonly LogQuery _pipeline = QueryParser.Parse("{namespace=\"ns-05\"} | pattern \"<method> <_>\" | method=\"GET\"");

    [Params(false, true)]
    public bool MessageFirst { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), $"search-bench-{Environment.ProcessId}-{MessageFirst}");
        Directory.CreateDirectory(_dir);
        string path = Path.Combine(_dir, "messages");
        Generate(path, MessageFirst);
        var options = new CollectorOptions { File = path, MaxFiles = 9 };
        _store = new IndexStore(options, TimeProvider.System, NullLogger<IndexStore>.Instance);
        _gate = new ReadGate();
        _engine = new SearchEngine(_store, _gate, TimeProvider.System);
        _volume = new VolumeCounter(_store, _gate);
        _store.OpenAll().ForEach(f => f.Dispose());
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _gate?.Dispose();
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    [Benchmark(Description = "last 100 lines of one pod")]
    public int LastLinesOfOnePod() =>
        _engine.Search(
            new SearchRequest(_pod, long.MinValue, long.MaxValue, 100, Backward: true),
            default).Entries.Count;

    [Benchmark(Description = "rare term over all files (incl. gzip)")]
    public int RareTerm() => _engine.Search(new SearchRequest(_rare, long.MinValue, long.MaxValue, 100, Backward: true), default).Entries.Count;

    [Benchmark(Description = "one hour of one namespace, pages of 5000")]
    public int OneHourOfOneNamespace()
    {
        long from = StartNs + (10 * 3_600_000_000_000L), to = from + 3_600_000_000_000L;
        int lines = 0;
        SearchPosition? cursor = null;
        do
        {
            var result = _engine.Search(new SearchRequest(_namespace, from, to, 5000, Backward: false) { Cursor = cursor }, default);
            lines += result.Entries.Count;
            cursor = result.Next;
        }
        while (cursor is not null);
        return lines;
    }

    /// <summary>
    /// The same hour through a LogQL pipeline (pattern parser and a label filter): the cost of the slow path.
    /// </summary>
    [Benchmark(Description = "one hour of one namespace | pattern | method=GET, pages of 5000")]
    public int OneHourOfOneNamespaceThroughAPipeline()
    {
        long from = StartNs + (10 * 3_600_000_000_000L), to = from + 3_600_000_000_000L;
        int lines = 0;
        SearchPosition? cursor = null;
        do
        {
            var result = _engine.Search(new SearchRequest(_pipeline, from, to, 5000, Backward: false) { Cursor = cursor }, default);
            lines += result.Entries.Count;
            cursor = result.Next;
        }
        while (cursor is not null);
        return lines;
    }

    [Benchmark(Description = "volume of one namespace, 24 h in 1 h steps (index)")]
    public long VolumeFromIndex() => _volume.Count(_namespace, StartNs, StartNs + DayNs, 3_600_000_000_000L, default).Counts[6, 3];

    [Benchmark(Description = "volume with a line filter, 24 h in 1 h steps (read)")]
    public long VolumeWithLineFilter() => _volume.Count(_filtered, StartNs, StartNs + DayNs, 3_600_000_000_000L, default).Counts[6, 3];

    /// <summary>Three files of 32 MiB, oldest gzip'd; 12 lines hold the rare term.</summary>
    private static void Generate(string path, bool messageFirst)
    {
        string[] words = ["GET", "POST", "PUT", "/api/v1/items", "/healthz", "200", "201", "404", "500", "ms=", "user=", "ok", "retry", "timeout"];
        string[] severities = ["info", "info", "info", "info", "info", "info", "warning", "err", "debug", "notice"];
        var random = new Random(1);
        int count = 3 * PartBytes / LineLength;
        long stepUs = 24L * 3600 * 1_000_000 / count;
        var rare = new HashSet<int>(Enumerable.Range(0, 12).Select(_ => random.Next(count)));
        var line = new StringBuilder(LineLength);
        for (int part = 0; part < 3; part++)
        {
            string name = part switch { 0 => path + ".2.gz", 1 => path + ".1", _ => path };
            using var file = File.Create(name);
            using Stream output = part == 0 ? new GZipStream(file, CompressionLevel.Fastest) : file;
            using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 20);
            for (int i = part * count / 3; i < (part + 1) * count / 3; i++)
            {
                var time = DateTimeOffset.FromUnixTimeMilliseconds(StartNs / 1_000_000).AddTicks(i * stepUs * 10);
                int pod = random.Next(200), ns = pod / 10;
                line.Clear();
                string severity = severities[random.Next(severities.Length)];
                var c = System.Globalization.CultureInfo.InvariantCulture;
                string stamp = time.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", c);
                string podName = string.Create(c, $"ns-{ns:00}-pod-{pod:000}");
                string sd = string.Create(c, $"[k8s@32473 namespace=\"ns-{ns:00}\" pod=\"{podName}\" container=\"main\"]");
                string metadata = string.Create(c, $"app-{pod % 7}[{1000 + pod}]: local0.{severity} - {sd}");
                line.Append(messageFirst
                    ? string.Create(c, $"{stamp} node-{pod % 16:00} ns-{ns:00}/{podName}/main {severity}:")
                    : string.Create(c, $"{stamp} node-{pod % 16:00} {metadata}"));
                for (int w = 0; w < 6; w++)
                {
                    line.Append(' ').Append(words[random.Next(words.Length)]);
                }

                if (rare.Contains(i))
                {
                    line.Append(" rare-needle-4242");
                }

                line.Append(' ').Append('x', Math.Max(0, LineLength - 1 - line.Length - (messageFirst ? metadata.Length + 1 : 0)));
                if (messageFirst)
                {
                    line.Append('\t').Append(metadata);
                }

                writer.Write(line);
                writer.Write('\n');
            }
        }
    }
}
