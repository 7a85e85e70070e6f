using TestSupport;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace EndToEnd.Tests;

/// <summary>
/// The Forwarder killed with SIGKILL again and again while containers keep logging, restarted on the same state.
/// </summary>
public sealed class CrashSafetyTests(ITestOutputHelper output)
{
    private const int Kills = 20;
    private const int LinesPerSecond = 200;
    private const string SeedVariable = "CRASH_SAFETY_SEED";
    private static readonly TimeSpan CheckpointInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Offsets are saved every checkpoint interval, and only for lines already written to the socket; so after a kill
    /// the lines sent again are those received since the last save before it: typically the last interval's
    /// (~100 lines here). A process killed before its first save (start-up is slow on a busy machine, and a kill may
    /// come 200 ms after /healthz) leaves the previous process's unsaved lines unsaved too, so the generous bound is
    /// every line received from the start of the previous process to the moment the killed one's last bytes had
    /// arrived. A Forwarder that never saved would resend everything since the first start and fail this within a few
    /// kills; one that saved offsets of lines it had not sent fails the 0 lost.
    /// </summary>
    [Fact]
    public async Task KilledTwentyTimesWhileFilesGrowItLosesNoLineAndResendsOnlyTheLinesInFlight()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var logs = Enumerable.Range(0, 4)
            .Select(f => tree.AddContainer("jobs", $"worker-{f}", "main", f % 2 == 0 ? RuntimeFormat.Docker : RuntimeFormat.Cri))
            .ToArray();
        await using var target = SyslogTestListener.Start();
        await using var received = new ReceiveTimeline(() => target.Frames.Count);
        await using var writer = new SequencedWriter(logs, LinesPerSecond);
        string state = dir.Combine("state");
        string[] args = ["--checkpoint-interval", $"{CheckpointInterval.TotalMilliseconds}ms"];
        int seed = Seed();
        // xunit shows a test's output when it fails: the seed, and how to run the same kill times again.
        output.WriteLine($"seed {seed} (repeat with {SeedVariable}={seed})");
        var random = new Random(seed);
        var kills = new List<(long Started, long Tick, int Boundary)>();
        string lastOutput = string.Empty;

        writer.Start();
        for (int k = 0; k < Kills; k++)
        {
            long started = Environment.TickCount64;
            var forwarder = await ForwarderProcess.StartAsync(tree.ContainersGlob, [$"tcp://127.0.0.1:{target.TcpPort}"], state, args);
            await Task.Delay(random.Next(200, 1501));
            long tick = Environment.TickCount64;
            lastOutput = forwarder.Output;
            await forwarder.KillAsync();

            // What the killed process had written to its socket still arrives (the kernel sends it before the FIN):
            // it belongs to this run, so wait until the count settles before the next one starts.
            await received.WaitUntilQuietAsync(TimeSpan.FromMilliseconds(150));
            kills.Add((started, tick, target.Frames.Count));
        }

        await using (var last = await ForwarderProcess.StartAsync(tree.ContainersGlob, [$"tcp://127.0.0.1:{target.TcpPort}"], state, args))
        {
            await Task.Delay(1000);
            await writer.StopAsync();
            try
            {
                await Wait.UntilAsync(
                    () => target.Frames.Count >= writer.Total
                        && Delivery.Check(writer.Written, Delivery.Keys(target.Frames)).Lost == 0,
                    "every line after the last restart",
                    TimeSpan.FromSeconds(60));
            }
            catch (XunitException e)
            {
                var partial = Delivery.Check(writer.Written, Delivery.Keys(target.Frames));
                throw new XunitException($"{e.Message} {partial.Lost} of {writer.Total} lines lost (first: " +
                    $"{partial.FirstLost}); seed {seed}.\nForwarder said:\n{last.Output}");
            }

            lastOutput = last.Output;
        }

        Assert.Empty(target.Errors);
        var keys = Delivery.Keys(target.Frames);
        var delivery = Delivery.Check(writer.Written, keys);
        Assert.Equal(0, delivery.Lost);

        // Duplicates per kill: lines received after it that had been received before it; each within what was in
        // flight.
        var report = new List<string>();
        var failures = new List<string>();
        var perKill = new List<int>();
        var seen = new HashSet<(int, long)>();
        int from = 0;
        for (int k = 0; k < kills.Count; k++)
        {
            int boundary = kills[k].Boundary;
            for (int i = from; i < boundary; i++)
            {
                seen.Add(keys[i]);
            }

            int end = k + 1 < kills.Count ? kills[k + 1].Boundary : keys.Count;
            int duplicates = keys.Skip(boundary).Take(end - boundary).Count(seen.Contains);
            long windowStart = kills[Math.Max(0, k - 1)].Started;
            int inFlight = boundary - received.CountAt(windowStart);
            perKill.Add(duplicates);
            report.Add($"kill {k + 1}: {duplicates} resent (bound: {inFlight}; ran {kills[k].Tick - kills[k].Started} ms)");
            if (duplicates > inFlight)
            {
                failures.Add($"kill {k + 1}: {duplicates} lines resent, more than the {inFlight} received since the " +
                    $"previous process started ({kills[k].Tick - windowStart} ms before it)");
            }

            from = boundary;
        }

        output.WriteLine($"{writer.Total} lines written, {keys.Count} received, 0 lost, {delivery.Duplicates} " +
            $"duplicates over {Kills} kills (per kill: median {perKill.Order().ElementAt(Kills / 2)}, max " +
            $"{perKill.Max()}; seed {seed})");
        output.WriteLine(string.Join(Environment.NewLine, report));
        Assert.True(
            failures.Count == 0,
            $"{string.Join(Environment.NewLine, failures)}\nseed {seed}\n" +
            $"{string.Join(Environment.NewLine, report)}\nlast Forwarder said:\n{lastOutput}");
    }

    /// <summary>
    /// The kill times' seed: from <see cref="SeedVariable"/> when set (to repeat a failed run), else fresh.
    /// </summary>
    private static int Seed()
    {
        string? text = Environment.GetEnvironmentVariable(SeedVariable);
        if (string.IsNullOrEmpty(text))
        {
            return Environment.TickCount;
        }

        return int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int seed)
            ? seed
            : throw new XunitException($"{SeedVariable} must be an integer, was '{text}'");
    }
}
