using System.Globalization;
using Fairness;

// The fairness experiment of issue 19: while one pod's backlog drains, how long does a quiet pod's line take from its
// write to the Collector's file? See docs/forwarder-fairness.md for what it measures and the figures it gave.
FairnessSettings settings;
try
{
    settings = FairnessSettings.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException or IndexOutOfRangeException)
{
    Console.Error.WriteLine($"fairness: {e.Message}");
    Console.Error.WriteLine("usage: Fairness --forwarder PATH [--forwarder PATH…] --collector PATH [--runs 3] " +
        "[--backlog-lines 2000000] [--line-bytes 232] [--protocol relp|tcp] [--interval-ms 100] [--baseline-seconds 10] " +
        "[-- forwarder args]");
    return 2;
}

Console.WriteLine($"collector {settings.Collector}, {settings.Protocol}, backlog {settings.BacklogLines} lines × " +
    $"{settings.LineBytes} B, quiet line every {settings.IntervalMs} ms, temp {Path.GetTempPath()}");
for (int f = 0; f < settings.Forwarders.Count; f++)
{
    Console.WriteLine($"forwarder {(char)('A' + f)}: {settings.Forwarders[f]}");
}

const string Header = "              baseline: n  p50 ms  p99 ms  max ms | backlog: n  p50 ms  p99 ms  max ms | write s  drain s   MB/s";
Console.WriteLine(Header + " | load 1/5/15 before → after");
var results = settings.Forwarders.Select(_ => new List<RunResult>()).ToList();
bool delivered = true;
for (int run = 1; run <= settings.Runs; run++)
{
    // Turns alternate, so a change in the machine's load falls on every forwarder alike.
    for (int f = 0; f < settings.Forwarders.Count; f++)
    {
        var r = await FairnessRun.RunAsync(settings, settings.Forwarders[f]);
        results[f].Add(r);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{(char)('A' + f)} run {run,-3}          {Row(r.Baseline)} |  {Row(r.DuringBacklog)} | " +
            $"{r.WriteSeconds,7:0.0} {r.DrainSeconds,8:0.0} {r.DrainMegabytesPerSecond,6:0.0} | {r.LoadAverage}"));
        if (r.Delivery is not null)
        {
            Console.WriteLine($"    delivery: FAILED: {r.Delivery}");
            delivered = false;
        }
    }
}

Console.WriteLine(Header);
for (int f = 0; f < settings.Forwarders.Count; f++)
{
    var rs = results[f];
    Console.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"{(char)('A' + f)} median of {rs.Count,-3}            {Median(rs, r => r.Baseline.P50),7:0} " +
        $"{Median(rs, r => r.Baseline.P99),7:0} {Median(rs, r => r.Baseline.Max),7:0} |  " +
        $"{"",9} {Median(rs, r => r.DuringBacklog.P50),7:0} {Median(rs, r => r.DuringBacklog.P99),7:0} " +
        $"{Median(rs, r => r.DuringBacklog.Max),7:0} | " +
        $"{"",7} {Median(rs, r => r.DrainSeconds),8:0.0} {Median(rs, r => r.DrainMegabytesPerSecond),6:0.0}"));
}

Console.WriteLine(delivered ? "delivery: every line arrived once, in order, in every run" : "delivery: FAILED (see above)");
return delivered ? 0 : 1;

static double Median(List<RunResult> results, Func<RunResult, double> of)
{
    var values = results.Select(of).Order().ToList();
    return values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
}

static string Row(Latencies l) => string.Create(CultureInfo.InvariantCulture, $"{l.Count,4} {l.P50,7:0} {l.P99,7:0} {l.Max,7:0}");
