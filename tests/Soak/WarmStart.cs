using TestSupport;

namespace Soak;

/// <summary>
/// A second baseline for pods that restart: a fresh Forwarder (its own state and sink) started while the pods and
/// their files are there, as after a Forwarder restart on a busy node. Its idle level, once it read every file the glob
/// reaches and trimmed, is what those files legitimately cost (tailers, their buffers, their checkpoints); the cold
/// start on the empty tree has none of them.
/// </summary>
internal static class WarmStart
{
    public static async Task<ChurnSample> MeasureAsync(
        ChurnSettings settings,
        string include,
        NodeLogTree tree,
        PodChurn churn,
        string state,
        TimeSpan idle)
    {
        // Every line in the files the glob reaches, read from disk: a fresh Forwarder ships them all once.
        int expected = Directory.EnumerateFiles(tree.ContainersDirectory, "*.log").Sum(link => File.ReadLines(link).Count());
        await using var sink = SyslogTestListener.Start();
        await using var forwarder = await ChurnedForwarder.StartAsync(
            settings.Forwarder,
            include,
            $"tcp://127.0.0.1:{sink.TcpPort}",
            state,
            settings.ForwarderArgs);
        var frames = await sink.WaitForQuietAsync(expected, TimeSpan.FromMinutes(3), TimeSpan.FromSeconds(2));
        if (frames.Count != expected)
        {
            throw new InvalidOperationException($"the warm start shipped {frames.Count} lines, the files hold {expected}");
        }

        var settled = await forwarder.SettleAsync(churn, sink, expected);
        var sample = await forwarder.IdleAsync(settled, idle);
        if (settings.QuietSeconds > 0)
        {
            var (allocated, cpu) = await forwarder.QuietRateAsync(settings.QuietSeconds);
            sample = sample with { QuietAllocatedKbPerSecond = allocated, QuietCpuMsPerSecond = cpu };
        }

        return sample;
    }
}
