using Chaos;
using TestSupport;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace EndToEnd.Tests;

/// <summary>
/// A short chaos run (docs/chaos.md; the full one is tests/Chaos/chaos.sh): the real Forwarder and Collector over
/// relp://, two container logs rotating underneath, each program killed with SIGKILL three times at random moments.
/// </summary>
public sealed class ChaosRunTests(ITestOutputHelper output)
{
    private const string SeedVariable = "CHAOS_SEED";

    [Fact]
    public async Task CollectorAndForwarderKilledWhileLogsRotateLoseNoLineAndStoreNoneTwice()
    {
        int seed = Seed();
        output.WriteLine($"seed {seed} (repeat with {SeedVariable}={seed})");
        var settings = new ChaosSettings(
            Binaries.ForwarderDll,
            Binaries.CollectorDll,
            Files: 2,
            LinesPerSecond: 3000,
            CollectorKills: 3,
            ForwarderKills: 3,
            Duration: TimeSpan.FromSeconds(30),
            Seed: seed,
            RotateBytes: 1 << 20,
            Quiet: TimeSpan.FromSeconds(3),
            MaxRestartDelay: TimeSpan.FromSeconds(1),
            LogLevel: "Warning",
            Keep: false,
            // One CRI and one docker json-file log: docker renames every generation at each rotation, which is
            // where the last faults were (docs/chaos.md).
            Formats: ChaosFormats.Both);
        using var dir = TempDirectory.Create();

        var result = await new ChaosRun(settings, output.WriteLine).RunAsync(dir);

        output.WriteLine(result.Summary());
        string context = $"seed {seed}\n{result.Summary()}\n" +
            $"last Forwarder said:\n{Tail(result.ForwarderOutput)}\n" +
            $"last Collector said:\n{Tail(result.CollectorOutput)}";
        Assert.Equal(6, result.Kills.Count);
        Assert.True(result.Rotations >= 2, $"the logs rotated only {result.Rotations} times: {context}");

        // The exact list per log: 0 … written-1, each once, in the order written, over every generation of the log
        // and every messages file; then the Collector's own account of the same lines.
        for (int f = 0; f < settings.Files; f++)
        {
            var expected = Enumerable.Range(0, checked((int)result.Written[f])).Select(n => (long)n).ToList();
            var stored = result.Delivery.Stored[f];
            if (!expected.SequenceEqual(stored))
            {
                int at = expected.Zip(stored).TakeWhile(p => p.First == p.Second).Count();
                throw new XunitException(
                    $"log {f}: {expected.Count} lines written, {stored.Count} stored; first difference at index {at}: " +
                    $"stored {string.Join(',', stored.Skip(Math.Max(0, at - 2)).Take(6))} …\n{context}");
            }
        }

        Assert.True(result.Delivery.Lost == 0 && result.Delivery.StoredTwice == 0, context);
        Assert.True(result.Delivery.Foreign == 0 && result.Delivery.WithoutOrigin == 0 && result.Delivery.OriginBreaks == 0, context);
        Assert.True(result.Sources.Problems.Count == 0 && result.Sources.Gaps == 0 && result.GapsMetric == 0, context);
        Assert.Equal(result.Delivery.Sources.Count, result.Sources.Listed);

        // Not asserted: that some re-sent line was dropped. A Forwarder that is behind (this machine is shared)
        // and waits for answers when it is killed has its checkpoints where its acknowledgements are, and sends
        // nothing twice; seed 15111734 does that on a loaded machine (0 dropped, everything stored once).
        output.WriteLine($"re-sent lines dropped by the Collector: {result.DuplicatesDroppedSeen} (added up per Collector process)");
        Assert.True(result.Passed, context);
    }

    private static string Tail(string text) => string.Join('\n', text.Split('\n').TakeLast(40));

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
