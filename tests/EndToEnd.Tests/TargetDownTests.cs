using System.Diagnostics;
using TestSupport;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace EndToEnd.Tests;

/// <summary>
/// The receiver gone for 30 s while containers keep logging at 1000 lines/s, then back on the same port.
/// </summary>
public sealed class TargetDownTests(ITestOutputHelper output)
{
    private const int LinesPerSecond = 1000;
    private const long ResidentLimit = 150L << 20;
    private static readonly TimeSpan Down = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AReceiverDownForThirtySecondsGetsEveryLineWhenItComesBackAndMemoryStaysBounded()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var logs = Enumerable.Range(0, 4)
            .Select(f => tree.AddContainer("web", $"front-{f}", "nginx", f % 2 == 0 ? RuntimeFormat.Docker : RuntimeFormat.Cri))
            .ToArray();
        int port = LoopbackTcpReceiver.ReservePort();
        var first = SyslogTestListener.Start(port: port);
        await using var forwarder = await ForwarderProcess.StartAsync(
            tree.ContainersGlob,
            [$"tcp://127.0.0.1:{port}"],
            dir.Combine("state"),
            "--max-retry-delay",
            "1s");
        await using var writer = new SequencedWriter(logs, LinesPerSecond);
        long peak = 0;
        using var stopSampling = new CancellationTokenSource();
        var sampling = Task.Run(async () =>
        {
            while (!stopSampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, forwarder.ResidentBytes());
                await Task.Delay(200, CancellationToken.None);
            }
        });

        // Up for 2 s. A receiver that vanishes with bytes unread in its socket loses them, and no TCP sender can know
        // (RFC 6587 has no acknowledgement): it goes away when the Forwarder has caught up, as a Collector does when it
        // stops (it reads what its connections hold before it exits).
        writer.Start();
        await Task.Delay(2000);
        await writer.StopAsync();
        await WaitForAllAsync(
            () => first.Frames.Count,
            () => Delivery.Keys(first.Frames),
            writer,
            forwarder,
            "the lines written before the receiver goes away");
        await first.DisposeAsync();

        var down = Stopwatch.StartNew();
        writer.Start();
        await Task.Delay(Down);
        long writtenWhileDown = writer.Total;
        await using var second = SyslogTestListener.Start(port: port);
        output.WriteLine($"receiver back after {down.Elapsed.TotalSeconds:0.0} s; {writtenWhileDown} lines written " +
            $"by then; Forwarder RSS {forwarder.ResidentBytes() >> 20} MiB");

        await Task.Delay(2000);
        await writer.StopAsync();
        var delivery = await WaitForAllAsync(
            () => first.Frames.Count + second.Frames.Count,
            () => [.. Delivery.Keys(first.Frames), .. Delivery.Keys(second.Frames)],
            writer,
            forwarder,
            "every line after the receiver came back");
        await stopSampling.CancelAsync();
        await sampling;

        // Nothing more for a second: duplicates or strays arriving after the last missing line are seen too.
        await Wait.UntilQuietAsync(
            () => first.Frames.Count + second.Frames.Count,
            TimeSpan.FromSeconds(1),
            "frames after the last line",
            TimeSpan.FromSeconds(30));

        double reconnects = await forwarder.MetricAsync("kubesyslog_forwarder_target_reconnects_total");
        output.WriteLine(
            $"{writer.Total} lines written, 0 lost, {delivery.Duplicates} duplicates; reconnects {reconnects}; " +
            $"peak RSS {peak >> 20} MiB");
        Assert.Empty(first.Errors);
        Assert.Empty(second.Errors);
        // The first receiver left only once it had everything, so nothing was in flight: each line exactly once.
        Delivery.AssertExactlyOnceInOrder(writer.Written, [.. Delivery.Keys(first.Frames), .. Delivery.Keys(second.Frames)]);
        Assert.True(peak < ResidentLimit, $"the Forwarder's RSS reached {peak >> 20} MiB (limit {ResidentLimit >> 20} MiB)");
    }

    private static async Task<Delivery> WaitForAllAsync(
        Func<int> count,
        Func<List<(int File, long N)>> received,
        SequencedWriter writer,
        ForwarderProcess forwarder,
        string what)
    {
        try
        {
            // Parsing every frame is costly: only once enough have arrived.
            await Wait.UntilAsync(
                () => count() >= writer.Total && Delivery.Check(writer.Written, received()).Lost == 0,
                what,
                TimeSpan.FromSeconds(60));
            return Delivery.Check(writer.Written, received());
        }
        catch (XunitException e)
        {
            var partial = Delivery.Check(writer.Written, received());
            throw new XunitException($"{e.Message} {partial.Lost} of {writer.Total} lines missing (first: " +
                $"{partial.FirstLost}).\nForwarder said:\n{forwarder.Output}");
        }
    }
}
