using System.Diagnostics;
using TestSupport;
using Xunit.Abstractions;

namespace Forwarder.Tests.Discovery;

public sealed class FileScannerScaleTests(ITestOutputHelper output)
{
    [Fact]
    public void AThousandDockerContainersAreAllFoundAndTheScanTimeIsReported()
    {
        using var dir = TempDirectory.Create();
        var node = new NodeLayout(dir);
        for (int i = 0; i < 1000; i++)
        {
            node.AddDocker("bench", $"app-{i}-7d9f8c6b5d-x{i:D4}");
        }

        var scanner = FileScannerTests.Scanner([node.DefaultInclude], exclude: [node.Pods + "/kube-syslog_*/**"]);
        Assert.Equal(1000, scanner.Scan().Count);

        // Timing is reported, not asserted (STYLE.md): the caller rescans every second, so this should stay far
        // below 50 ms.
        const int Runs = 30;
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        var times = new List<double>();
        for (int i = 0; i < Runs; i++)
        {
            long start = watch.ElapsedTicks;
            Assert.Equal(1000, scanner.Scan().Count);
            times.Add((watch.ElapsedTicks - start) * 1000.0 / Stopwatch.Frequency);
        }

        long allocated = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / Runs;
        times.Sort();
        output.WriteLine(
            $"1,000 files (3-hop docker chains): min {times[0]:F1} ms, median {times[Runs / 2]:F1} ms, " +
            $"max {times[^1]:F1} ms, {allocated / 1024} KiB allocated per scan");
    }
}
