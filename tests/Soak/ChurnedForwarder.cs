using System.Globalization;
using TestSupport;

namespace Soak;

/// <summary>
/// The Forwarder under soak: a real process (the native binary, or <c>dotnet Forwarder.dll</c>) with its /metrics on
/// loopback.
/// </summary>
internal sealed class ChurnedForwarder : IAsyncDisposable
{
    private const string TrimsMetric = "kubesyslog_forwarder_memory_trims_total";
    private const string AllocatedMetric = "dotnet_gc_heap_total_allocated_bytes_total";
    private static readonly TimeSpan RoundTimeout = TimeSpan.FromMinutes(3);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private readonly ForegroundProcess _process;
    private readonly Uri _http;
    private readonly string _state;

    private ChurnedForwarder(ForegroundProcess process, Uri http, string state)
    {
        _process = process;
        _http = http;
        _state = state;
    }

    public int Id => _process.Id;

    public static async Task<ChurnedForwarder> StartAsync(string forwarder, string include, string target, string state, IReadOnlyList<string> extra)
    {
        int port = LoopbackTcpReceiver.ReservePort();
        var args = new List<string>
        {
            "--include", include, "--to", target, "--state", state, "--node", "soak-node",
            "--http", $"127.0.0.1:{port}", "--log-level", "Warning",
        };
        args.AddRange(extra);
        bool dll = forwarder.EndsWith(".dll", StringComparison.Ordinal);
        var process = ForegroundProcess.Start(dll ? "dotnet" : forwarder, dll ? [forwarder, .. args] : args, Console.WriteLine);
        var started = new ChurnedForwarder(process, new Uri($"http://127.0.0.1:{port}"), state);
        await Wait.UntilAsync(
            () => started.TryMetric("kubesyslog_forwarder_files_watched") is not null || process.HasExited,
            "the Forwarder's /metrics",
            TimeSpan.FromSeconds(30));
        return process.HasExited ? throw new InvalidOperationException($"the Forwarder exited with {process.ExitCode}") : started;
    }

    public Task WaitForLinesAsync(PodChurn churn, SyslogTestListener sink) => WaitForLinesAsync(churn.LinesWritten, sink);

    /// <summary>
    /// Waits until every line arrived and only the pods' live files are tailed (and checkpointed as tailed): the
    /// Forwarder has let go of every other file this round gave it. Then takes the sample. <paramref name="lines"/>:
    /// the lines this Forwarder ships, when it did not see all the churn wrote (a warm start).
    /// </summary>
    public async Task<ChurnSample> SettleAsync(PodChurn churn, SyslogTestListener sink, int? lines = null)
    {
        long started = Environment.TickCount64;
        await WaitForLinesAsync(lines ?? churn.LinesWritten, sink);
        await Wait.UntilAsync(
            () => TryMetric("kubesyslog_forwarder_files_watched") == churn.LiveFiles && CheckpointSummary.Read(_state).Tailed == churn.LiveFiles,
            $"{churn.LiveFiles} files tailed and checkpointed as tailed, the files the glob still reaches, and no other",
            RoundTimeout);
        double seconds = (Environment.TickCount64 - started) / 1000.0;

        // Checkpoints of deleted files go at the Forwarder's next look for them (once a scan interval): give it a few
        // seconds, but sample whatever is left then, since a leak is what this is looking for.
        long lookUntil = Environment.TickCount64 + 5_000;
        while (churn.LiveFiles == 0 && CheckpointSummary.Read(_state).Entries > 0 && Environment.TickCount64 < lookUntil)
        {
            await Task.Delay(100);
        }

        return Sample(seconds);
    }

    /// <summary>
    /// After a round settled, waits for the Forwarder to give back what the round made it commit (an aggressive
    /// collection once it is idle, counted on /metrics), for at most <paramref name="upTo"/>, and samples again: the
    /// level an idle node sees between bursts. Polls slowly, since rendering /metrics allocates too.
    /// </summary>
    public async Task<ChurnSample> IdleAsync(ChurnSample settled, TimeSpan upTo)
    {
        long started = Environment.TickCount64;
        while (Environment.TickCount64 - started < upTo.TotalMilliseconds)
        {
            await Task.Delay(1000);
            if ((TryMetric(TrimsMetric) ?? 0) > settled.Trims)
            {
                break;
            }
        }

        return Sample((Environment.TickCount64 - started) / 1000.0);
    }

    /// <summary>
    /// What the idle Forwarder allocates and spends per second over <paramref name="seconds"/>, with one /metrics
    /// scrape at each end only (a scrape of hundreds of files' series allocates a few hundred KB, so the idle wait's
    /// scrape every second would be most of it): rescans, checkpoints and polls of files that do not move.
    /// </summary>
    public async Task<(double AllocatedKbPerSecond, double CpuMsPerSecond)> QuietRateAsync(double seconds)
    {
        double? before = TryMetric(AllocatedMetric);
        double cpuBefore = CpuSeconds(Id);
        long started = Environment.TickCount64;
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        double cpuAfter = CpuSeconds(Id);
        double? after = TryMetric(AllocatedMetric);
        double elapsed = (Environment.TickCount64 - started) / 1000.0;
        return (before is double b && after is double a ? (a - b) / 1024 / elapsed : -1, (cpuAfter - cpuBefore) * 1000 / elapsed);
    }

    private static Task WaitForLinesAsync(int lines, SyslogTestListener sink) =>
        Wait.UntilAsync(() => sink.Frames.Count >= lines, $"{lines} lines (have {sink.Frames.Count})", RoundTimeout);

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    // utime + stime of the process, /proc/PID/stat fields 14 and 15, in clock ticks (USER_HZ is 100 on Linux).
    private static double CpuSeconds(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private ChurnSample Sample(double seconds)
    {
        var checkpoints = CheckpointSummary.Read(_state);
        return new ChurnSample(
            ProcessResources.Of(Id),
            ResidentSplit.Of(Id),
            (long)(TryMetric("dotnet_gc_last_collection_heap_size_bytes") ?? -1),
            (long)(TryMetric("dotnet_gc_last_collection_memory_committed_size_bytes") ?? -1),
            checkpoints.Bytes,
            checkpoints.Entries,
            (int)(TryMetric("kubesyslog_forwarder_files_watched") ?? -1),
            (long)(TryMetric(TrimsMetric) ?? 0),
            seconds);
    }

    private double? TryMetric(string name)
    {
        try
        {
            string text = Http.GetStringAsync(new Uri(_http, "/metrics")).GetAwaiter().GetResult();
            foreach (string line in text.Split('\n'))
            {
                if (line.StartsWith(name + " ", StringComparison.Ordinal))
                {
                    return double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
                }
            }

            return null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}

/// <summary>One row of the soak's table.</summary>
internal readonly record struct ChurnSample(
    ProcessResources Resources,
    ResidentSplit Split,
    long HeapBytes,
    long CommittedBytes,
    long CheckpointBytes,
    int CheckpointEntries,
    int TailedFiles,
    long Trims,
    double Seconds,
    double QuietAllocatedKbPerSecond = -1,
    double QuietCpuMsPerSecond = -1);
