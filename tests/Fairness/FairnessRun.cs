using System.Diagnostics;
using TestSupport;

namespace Fairness;

/// <summary>
/// One run: a Collector and a Forwarder as processes, a node tree with a quiet pod and a noisy pod (CRI). The quiet pod
/// writes a line every interval throughout; after a warm-up and a baseline without backlog, the noisy pod writes its
/// whole backlog at once. Each quiet line's latency is from just before its write(2) to the moment the Collector's
/// file holds it.
/// </summary>
internal static class FairnessRun
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromMinutes(15);

    public static async Task<RunResult> RunAsync(FairnessSettings settings, string forwarderPath)
    {
        using var dir = TempDirectory.Create("fairness");
        var tree = new NodeLogTree(dir);
        var quiet = tree.AddContainer("default", "quiet-7d9f8b6c5d-abcde", "app", RuntimeFormat.Cri);
        var noisy = tree.AddContainer("default", "noisy-5c6d7e8f9a-fghij", "app", RuntimeFormat.Cri);
        string messages = dir.Combine("collector", "messages");
        Directory.CreateDirectory(Path.GetDirectoryName(messages)!);
        string[] collectorArgs = ["--max-file-size", "64GiB", "--compress", "false", "--max-total-size", "256GiB"];
        bool collectorDll = settings.Collector.EndsWith(".dll", StringComparison.Ordinal);
        await using var collector = collectorDll
            ? await CollectorProcess.StartCommandAsync("dotnet", [settings.Collector], messages, collectorArgs)
            : await CollectorProcess.StartExecutableAsync(settings.Collector, messages, collectorArgs);
        string target = settings.Protocol == "relp" ? $"relp://{collector.Relp}" : $"tcp://{collector.Tcp}";
        await using var forwarder = await ForwarderUnderTest.StartAsync(
            forwarderPath, tree.ContainersGlob, target, dir.Combine("state"), settings.ForwarderArgs);
        await UntilAsync(
            async () => await forwarder.MetricAsync("kubesyslog_forwarder_files_watched") == 2 || forwarder.HasExited,
            "the Forwarder to tail both files",
            TimeSpan.FromSeconds(60));
        if (forwarder.HasExited)
        {
            throw new InvalidOperationException("the Forwarder exited");
        }

        using var arrivals = new ArrivalWatcher(messages);
        var writers = new PodWriters(quiet, noisy, settings.LineBytes);
        using var stopQuiet = new CancellationTokenSource();
        var quietTask = Task.Run(() => writers.WriteQuietAsync(TimeSpan.FromMilliseconds(settings.IntervalMs), stopQuiet.Token));
        string loadBefore = LoadAverage();

        await Task.Delay(WarmUp);
        long baselineStart = Stopwatch.GetTimestamp();
        await Task.Delay(TimeSpan.FromSeconds(settings.BaselineSeconds));
        long backlogStart = Stopwatch.GetTimestamp();
        long backlogBytes = await Task.Run(() => writers.WriteBacklog(settings.BacklogLines));
        long written = Stopwatch.GetTimestamp();
        await UntilAsync(
            () => Task.FromResult(arrivals.LastNoisy == settings.BacklogLines - 1),
            $"all {settings.BacklogLines} backlog lines in the Collector's file",
            DrainTimeout);
        long drained = arrivals.LastNoisyAt;

        // A second of quiet lines after the drain, then every quiet line written must arrive.
        await Task.Delay(TimeSpan.FromSeconds(1));
        await stopQuiet.CancelAsync();
        await quietTask;
        var writes = writers.QuietWrites();
        await UntilAsync(() => Task.FromResult(arrivals.Quiet().Count >= writes.Count), $"{writes.Count} quiet lines", TimeSpan.FromSeconds(30));
        string loadAfter = LoadAverage();

        var arrived = arrivals.Quiet();
        var expected = Enumerable.Range(0, writes.Count).ToList();
        var got = arrived.Select(a => a.Sequence).ToList();
        string? delivery = got.SequenceEqual(expected)
            ? null
            : $"quiet lines arrived as [{string.Join(',', got.Take(20))}…] ({got.Count}), expected 0..{writes.Count - 1} once each in order";
        if (arrivals.NoisyCount != settings.BacklogLines)
        {
            delivery = (delivery is null ? "" : delivery + "; ") + $"{arrivals.NoisyCount} backlog lines arrived, expected {settings.BacklogLines}";
        }

        var baseline = new List<double>();
        var during = new List<double>();
        foreach (var (sequence, at) in arrived)
        {
            long write = writes[sequence];
            double ms = Stopwatch.GetElapsedTime(write, at).TotalMilliseconds;
            if (write >= baselineStart && write < backlogStart)
            {
                baseline.Add(ms);
            }
            else if (write >= backlogStart && write < drained)
            {
                during.Add(ms);
            }
        }

        double drainSeconds = Stopwatch.GetElapsedTime(backlogStart, drained).TotalSeconds;
        return new RunResult(
            Latencies.Of(baseline),
            Latencies.Of(during),
            backlogBytes,
            Stopwatch.GetElapsedTime(backlogStart, written).TotalSeconds,
            drainSeconds,
            $"{loadBefore} → {loadAfter}",
            delivery);
    }

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (!await condition())
        {
            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException($"timed out after {timeout} waiting for {what}");
            }

            await Task.Delay(20);
        }
    }
}
