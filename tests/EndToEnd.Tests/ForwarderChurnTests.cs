using TestSupport;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace EndToEnd.Tests;

/// <summary>
/// The short version of tests/Soak: rounds of short-lived pods (created, rotated, deleted) through the real Forwarder
/// process. After each round settles, what the Forwarder holds (saved checkpoints, tailed files, descriptors, inotify
/// watches, threads, resident memory) must be back where it was: nothing about a file may outlive the file. Resident
/// memory is compared once the Forwarder, idle again, gave back what the round made its GC commit (MemoryTrimmer).
/// </summary>
public sealed class ForwarderChurnTests(ITestOutputHelper output)
{
    private const int Pods = 100;
    private const int Rounds = 4;
    private const int LinesPerFile = 10;
    private const string TrimsMetric = "kubesyslog_forwarder_memory_trims_total";
    // Idle after round 4 against round 1 settled, six runs at load 4-25 (2026-12-07): 0.78-0.88 since checkpoints.json
    // no longer leaves pooled buffers behind (1.06-1.11 in the earlier runs docs/forwarder-resources.md quotes); the
    // rest of the margin is for the JIT and a loaded machine.
    private const double IdleGrowth = 1.10;
    private static readonly TimeSpan RoundTimeout = TimeSpan.FromSeconds(60);

    // A trim comes at the Forwarder's first idle check (every 5 s) after a burst, and at most once in 30 s.
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(90);

    [Theory]
    [InlineData("containers")]
    [InlineData("pods")]
    public async Task AfterRoundsOfShortLivedPodsTheForwarderHoldsWhatItHeldAfterTheFirst(string include)
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        string pods = Path.Combine(tree.Root, "var", "log", "pods");
        Directory.CreateDirectory(pods);

        // containers: the default include, one watch on the links' directory. pods: a recursive include, one inotify
        // watch per pod and container directory while it exists.
        string glob = include == "pods" ? Path.Combine(pods, "**", "*.log") : tree.ContainersGlob;
        string state = dir.Combine("state");
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await ForwarderProcess.StartAsync(glob, [$"tcp://127.0.0.1:{target.TcpPort}"], state, "--rotate-wait", "1s");
        var churn = new PodChurn(tree, Pods, LinesPerFile);
        var start = ProcessResources.Of(forwarder.Id);
        output.WriteLine($"start: {start}");

        var rounds = new List<ProcessResources>();
        double trims = 0;
        for (int round = 1; round <= Rounds; round++)
        {
            // The idle check at the end waits for a trim after round 1: rounds 2 to 4 allocate enough for one.
            if (round == 2)
            {
                trims = Metrics.Sum(await forwarder.MetricsAsync(), TrimsMetric);
            }

            churn.CreatePods();
            await WaitForLinesAsync(target, churn);
            churn.RotateAndWrite();
            await WaitForLinesAsync(target, churn);
            churn.DeletePods();
            await SettleAsync(forwarder, state, round);
            Assert.Equal(0, ProcessResources.DescriptorsUnder(forwarder.Id, tree.Root));
            rounds.Add(ProcessResources.Of(forwarder.Id));
            output.WriteLine($"round {round}: {rounds[^1]}, {churn.FilesCreated} files so far");
        }

        var idle = await IdleAsync(forwarder, trims);
        output.WriteLine($"idle after round {Rounds}: {idle}");

        Assert.Null(churn.Compare(target.Frames.Select(f => ReceivedMessage.Parse(f.Payload))));
        var first = rounds[0];
        foreach (var (after, round) in rounds.Select((r, i) => (r, i + 1)))
        {
            // Exact where the kernel counts: no descriptor on a deleted file, no watch on a deleted directory. The
            // process's other descriptors may grow once as `dotnet` maps assemblies first used in the first round.
            Assert.True(
                after.Descriptors <= first.Descriptors + 2,
                $"round {round}: {after.Descriptors} descriptors, {first.Descriptors} after the first round");
            Assert.True(
                after.InotifyWatches <= Math.Max(start.InotifyWatches, first.InotifyWatches),
                $"round {round}: {after.InotifyWatches} inotify watches, {start.InotifyWatches} at the start");

            // Generous where the runtime decides: the thread pool may add a worker, and this is `dotnet Forwarder.dll`,
            // whose resident memory also holds JIT-compiled code and moves with the GC's timing; tests/Soak measures
            // the native build, where it stays within 10 % of the first round.
            Assert.True(after.Threads <= first.Threads + 4, $"round {round}: {after.Threads} threads, {first.Threads} after the first round");
            Assert.True(after.ResidentBytes <= first.ResidentBytes * 2, $"round {round}: {after}, after the first round {first}");
        }

        // Idle, resident memory comes back to where the first round left it: what the later rounds made the GC commit
        // was given back (before MemoryTrimmer, it stayed). The margin is for the JIT (this is `dotnet Forwarder.dll`),
        // which keeps the optimised code it compiles for methods that got hot in later rounds; tests/Soak measures the
        // native build, where idle memory stays within 1 % of the first round's and of the cold start.
        Assert.True(
            idle.ResidentBytes <= first.ResidentBytes * IdleGrowth,
            $"idle after round {Rounds}: {idle}, after round 1: {first}");
    }

    /// <summary>
    /// Waits for the Forwarder to trim (an aggressive collection once idle after at least 32 MiB were allocated: a
    /// round of 100 pods may allocate less, three always did) and samples it. Polls slowly: rendering /metrics
    /// allocates too, and an idle Forwarder is what is being waited for.
    /// </summary>
    private static async Task<ProcessResources> IdleAsync(ForwarderProcess forwarder, double trimsBefore)
    {
        var deadline = Environment.TickCount64 + (long)IdleTimeout.TotalMilliseconds;
        while (Metrics.Sum(await forwarder.MetricsAsync(), TrimsMetric) <= trimsBefore)
        {
            if (Environment.TickCount64 > deadline)
            {
                throw new XunitException($"no memory trim {IdleTimeout.TotalSeconds:0} s after the round (trims: {trimsBefore})");
            }

            await Task.Delay(1000);
        }

        return ProcessResources.Of(forwarder.Id);
    }

    private static Task WaitForLinesAsync(SyslogTestListener target, PodChurn churn) =>
        Wait.UntilAsync(() => target.Frames.Count >= churn.LinesWritten, $"{churn.LinesWritten} lines (have {target.Frames.Count})", RoundTimeout);

    /// <summary>
    /// Every deleted file drained and closed, and nothing about them left in the saved checkpoints or the gauges.
    /// </summary>
    private static async Task SettleAsync(ForwarderProcess forwarder, string state, int round)
    {
        var deadline = Environment.TickCount64 + (long)RoundTimeout.TotalMilliseconds;
        while (true)
        {
            string metrics = await forwarder.MetricsAsync();
            double tailed = Metrics.Sum(metrics, "kubesyslog_forwarder_files_watched");
            double remembered = Metrics.Sum(metrics, "kubesyslog_forwarder_drained_files_remembered");
            var checkpoints = CheckpointSummary.Read(state);
            if (tailed == 0 && remembered == 0 && checkpoints.Entries == 0)
            {
                return;
            }

            if (Environment.TickCount64 > deadline)
            {
                throw new XunitException(
                    $"round {round}: the pods were deleted {RoundTimeout.TotalSeconds:0} s ago, yet {tailed} files are tailed, "
                    + $"{remembered} drained files remembered and checkpoints.json holds {checkpoints.Entries} entries ({checkpoints.Bytes} bytes)");
            }

            await Task.Delay(50);
        }
    }
}
