using System.Diagnostics;

namespace Benchmarks;

/// <summary>
/// <c>dotnet Benchmarks.dll cpu-ratio multiline [ROUNDS]</c>: ForwarderMultilineBenchmarks' <c>off</c> and
/// <c>auto</c> cases measured by the process's CPU time instead of wall time, alternating in short rounds so both
/// meet the same machine; <c>cpu-ratio collector-line</c> does the same for CollectorLineBenchmarks' file and
/// traditional formats (the traditional line is the peer of the message-first one). On a machine shared with other work
/// a wall-clock benchmark mostly measures how often the thread ran (BenchmarkDotNet's medians moved 3× between runs at
/// load average 45 on 2 cores); CPU time counts only the time it did run. Prints the median ns per line of each case
/// and the median of the per-round rate ratios.
/// </summary>
internal static class CpuTimeRatio
{
    private const int LinesPerRound = 200_000;

    public static void Run(string[] args)
    {
        int rounds = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 30;
        (string Name, Func<int> Line)[] cases;
        if (args[1] == "collector-line")
        {
            var collector = new CollectorLineBenchmarks();
            cases = [("traditional", collector.ParseAndFormatTraditional), ("file (message first)", collector.ParseAndFormatFile)];
        }
        else
        {
            cases = [.. new[] { ("off", 0), ("auto", 0), ("off", 20), ("auto", 20) }.Select(c =>
            {
                var b = new ForwarderMultilineBenchmarks { Multiline = c.Item1, StderrEvery = c.Item2 };
                b.Setup();
                return ($"{c.Item1,-4} stderr every {c.Item2,2}", (Func<int>)b.Cri);
            })];
        }

        var samples = cases.Select(_ => new List<double>()).ToArray();
        foreach (var c in cases)
        {
            Measure(c.Line, LinesPerRound); // warm-up: tiered JIT
        }

        for (int r = 0; r < rounds; r++)
        {
            // Rotated order, so no case always runs right after the same other one.
            for (int k = 0; k < cases.Length; k++)
            {
                int i = (k + r) % cases.Length;
                samples[i].Add(Measure(cases[i].Line, LinesPerRound));
            }
        }

        Console.WriteLine($"CPU ns per line, median of {rounds} rounds of {LinesPerRound:N0} lines (min-max):");
        for (int i = 0; i < cases.Length; i++)
        {
            Console.WriteLine($"  {cases[i].Name}: {Median(samples[i]):F1} ({samples[i].Min():F1}-{samples[i].Max():F1})");
        }

        for (int i = 1; i < cases.Length; i += 2)
        {
            var ratios = samples[i - 1].Zip(samples[i], (peer, measured) => peer / measured).ToList();
            Console.WriteLine($"  rate of {cases[i].Name} / {cases[i - 1].Name}: median {Median(ratios):F2} ({ratios.Min():F2}-{ratios.Max():F2})");
        }
    }

    private static double Measure(Func<int> line, int lines)
    {
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var before = process.TotalProcessorTime;
        for (int i = 0; i < lines; i++)
        {
            line();
        }

        process.Refresh();
        return (process.TotalProcessorTime - before).TotalNanoseconds / lines;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
