using System.Globalization;

namespace RelpLoad;

/// <summary>
/// Samples, twice a second, the Collector's resident memory (VmRSS in /proc/PID/status), its CPU time (utime + stime
/// in /proc/PID/stat) and the machine's 1-minute load average (/proc/loadavg), as an operator would read them.
/// </summary>
internal sealed class ResourceSampler(int pid)
{
    // USER_HZ: the unit of the times in /proc/PID/stat on Linux.
    private const double TicksPerSecond = 100;

    private readonly List<Sample> _samples = [];
    private readonly Lock _lock = new();

    public readonly record struct Sample(TimeSpan At, long RssBytes, double CpuSeconds, double Load);

    public IReadOnlyList<Sample> Samples
    {
        get
        {
            lock (_lock)
            {
                return [.. _samples];
            }
        }
    }

    public Sample Take(TimeSpan at)
    {
        var sample = new Sample(at, Rss(pid), CpuSeconds(pid), LoadAverage());
        lock (_lock)
        {
            _samples.Add(sample);
        }

        return sample;
    }

    public async Task RunAsync(System.Diagnostics.Stopwatch clock, Action<Sample> report, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                report(Take(clock.Elapsed));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    public static long Rss(int pid)
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    public static double CpuSeconds(int pid)
    {
        // Fields after the command name in parentheses (which may hold spaces): utime and stime are the 12th and 13th.
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    public static double LoadAverage() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);

    /// <summary>The soft limit on open files of this process (the Collector started from here inherits it).</summary>
    public static long OpenFileLimit()
    {
        foreach (string line in File.ReadLines("/proc/self/limits"))
        {
            if (line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                string soft = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                return soft == "unlimited" ? long.MaxValue : long.Parse(soft, CultureInfo.InvariantCulture);
            }
        }

        return long.MaxValue;
    }
}
