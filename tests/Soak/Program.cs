using System.Globalization;
using Soak;
using TestSupport;

// Churns short-lived pods through a real Forwarder process and prints what the Forwarder holds after each round. See
// docs/forwarder-resources.md for what it measures and the figures it gave.
ChurnSettings settings;
try
{
    settings = ChurnSettings.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException or IndexOutOfRangeException)
{
    Console.Error.WriteLine($"soak: {e.Message}");
    Console.Error.WriteLine("usage: Soak --forwarder PATH [--pods 300] [--rounds 10] [--lines 10] " +
        "[--include containers|pods] [--mode replace|restart] " +
        "[--tolerance 0.10] [--idle SECONDS] [--quiet SECONDS] [--linger SECONDS] [--baseline-with-pods] [-- forwarder args]");
    return 2;
}

using var dir = TempDirectory.Create("soak");
var tree = new NodeLogTree(dir);
string state = dir.Combine("state");
// kubelet creates it at start-up; the Forwarder's watch on it then starts with the Forwarder, as on a node.
Directory.CreateDirectory(Path.Combine(tree.Root, "var", "log", "pods"));
string include = settings.RecursiveInclude ? Path.Combine(tree.Root, "var", "log", "pods", "**", "*.log") : tree.ContainersGlob;
await using var sink = SyslogTestListener.Start();
await using var forwarder = await ChurnedForwarder.StartAsync(
    settings.Forwarder,
    include,
    $"tcp://127.0.0.1:{sink.TcpPort}",
    state,
    settings.ForwarderArgs);
var churn = new PodChurn(tree, settings.Pods, settings.Lines);
var start = await forwarder.SettleAsync(churn, sink);
Console.WriteLine($"forwarder pid {forwarder.Id}, include {include}, {settings.Pods} pods × 2 files × {settings.Lines} lines per round");
Console.WriteLine(
    "        RSS MB after the round settled; then, once idle (a trim, or --idle seconds): RSS, its anonymous and file pages,");
Console.WriteLine("        the GC's heap and committed memory after its last collection, trims so far; then, over --quiet seconds,");
Console.WriteLine("        what the idle Forwarder allocates (KB/s) and its CPU time (ms/s)");
Console.WriteLine(
    "round   files    lines  RSS MB  idle:RSS  anon  file  heap    GC trims  fds  watches  threads  ckpt B  ckpt entries  tailed  settle s" +
    "  quiet KB/s  CPU ms/s");
Print("start", churn, start, start);
var rows = new List<ChurnSample>();
var idles = new List<ChurnSample>();
for (int round = 1; round <= settings.Rounds; round++)
{
    // replace: every round new pods, deleted at its end (CronJobs, replaced replicas). restart: the same pods all
    // along, each round a new container in each (crash loops); they are deleted after the last round.
    if (round == 1 || !settings.Restarts)
    {
        churn.CreatePods();
    }
    else
    {
        churn.RestartContainers();
    }

    await forwarder.WaitForLinesAsync(churn, sink);
    churn.RotateAndWrite();
    await forwarder.WaitForLinesAsync(churn, sink);
    if (!settings.Restarts)
    {
        churn.DeletePods();
    }

    var sample = await forwarder.SettleAsync(churn, sink);
    var idle = await forwarder.IdleAsync(sample, TimeSpan.FromSeconds(settings.IdleSeconds));
    idle = await WithQuietRateAsync(idle);
    rows.Add(sample);
    idles.Add(idle);
    Print(round.ToString(CultureInfo.InvariantCulture), churn, sample, idle);
}

var end = rows[^1];
var endIdle = idles[^1];
ChurnSample? warm = null;
if (settings.BaselineWithPods)
{
    // The pods are still there: a second Forwarder started now reads their files from the start, as one restarted on
    // this node would, and its idle level is the baseline for the churned one's while the pods run.
    warm = await WarmStart.MeasureAsync(settings, include, tree, churn, dir.Combine("warm-state"), TimeSpan.FromSeconds(settings.IdleSeconds));
    Print("warm", churn, warm.Value, warm.Value);
}

if (settings.Restarts)
{
    churn.DeletePods();
    end = await forwarder.SettleAsync(churn, sink);
    endIdle = await WithQuietRateAsync(await forwarder.IdleAsync(end, TimeSpan.FromSeconds(settings.IdleSeconds)));
    Print("end", churn, end, endIdle);
}

string? delivery = churn.Compare(sink.Frames.Select(f => ReceivedMessage.Parse(f.Payload)));
Console.WriteLine(delivery is null
    ? $"delivery: all {churn.LinesWritten} lines arrived exactly once, in order per pod, nothing else"
    : $"delivery: FAILED: {delivery}");

// Resident memory is judged idle (once the Forwarder gave back what the round's burst made the GC commit), against
// the level after the first round: the first burst fills what the Forwarder then keeps and reuses (the shipping
// queue's batches, up to --queue-size, the read buffer, the code it ran), so the cold start is printed for comparison
// but is not the bar. And against the middle round, so that a slow climb within the bound shows too. Threads against
// the middle round: by then the load has warmed up what it warms up once (thread pool). What is on disk and
// checkpointed is judged against round 1, or with restarts round 2, the first after which a dead container's log is
// deleted.
var reference = idles[idles.Count / 2];
var steady = settings.Restarts && rows.Count > 1 ? rows[1] : rows[0];
var last = rows[^1];
var lastIdle = idles[^1];
var verdicts = new List<(string What, bool Ok, string Detail)>
{
    (
        "RSS back to the first round's",
        endIdle.Resources.ResidentBytes <= idles[0].Resources.ResidentBytes * (1 + settings.Tolerance),
        $"{Mb(idles[0].Resources.ResidentBytes)} MB idle after round 1, {Mb(endIdle.Resources.ResidentBytes)} MB idle at the end"),
    (
        "RSS steady",
        lastIdle.Resources.ResidentBytes <= reference.Resources.ResidentBytes * (1 + settings.Tolerance),
        $"{Mb(reference.Resources.ResidentBytes)} → {Mb(lastIdle.Resources.ResidentBytes)} MB idle"),
    (
        "fds",
        last.Resources.Descriptors <= steady.Resources.Descriptors * (1 + settings.Tolerance),
        $"{steady.Resources.Descriptors} → {last.Resources.Descriptors}"),
    (
        "watches",
        last.Resources.InotifyWatches <= steady.Resources.InotifyWatches * (1 + settings.Tolerance),
        $"{steady.Resources.InotifyWatches} → {last.Resources.InotifyWatches}"),
    (
        "threads",
        lastIdle.Resources.Threads <= reference.Resources.Threads * (1 + settings.Tolerance),
        $"{reference.Resources.Threads} → {lastIdle.Resources.Threads}"),
    (
        "checkpoints",
        last.CheckpointEntries <= steady.CheckpointEntries * (1 + settings.Tolerance),
        $"{steady.CheckpointEntries} → {last.CheckpointEntries} entries"),
    // + 1: the connection to the target, opened with the first line.
    (
        "all gone",
        end.CheckpointEntries == 0
            && end.TailedFiles == 0
            && end.Resources.Descriptors <= start.Resources.Descriptors + 1
            && end.Resources.InotifyWatches
                <= Math.Max(start.Resources.InotifyWatches, steady.Resources.InotifyWatches),
        $"after the last deletion: {end.CheckpointEntries} checkpoints, {end.TailedFiles} tailed, " +
        $"{end.Resources.Descriptors} fds, {end.Resources.InotifyWatches} watches"),
    ("delivery", delivery is null, delivery is null ? "exact" : "see above"),
};
Console.WriteLine(string.Create(
    CultureInfo.InvariantCulture,
    $"info RSS against the cold start: {Mb(start.Resources.ResidentBytes)} → {Mb(endIdle.Resources.ResidentBytes)} MB idle at the end " +
    $"({(endIdle.Resources.ResidentBytes / (double)start.Resources.ResidentBytes) - 1:+0%;-0%;+0%})"));
if (warm is { } w)
{
    // While the pods run the churned Forwarder tails as many files as the warm one: it should hold what they hold.
    verdicts.Insert(2, (
        "RSS against a start with the pods there",
        lastIdle.Resources.ResidentBytes <= w.Resources.ResidentBytes * (1 + settings.Tolerance),
        string.Create(
            CultureInfo.InvariantCulture,
            $"{Mb(w.Resources.ResidentBytes)} MB idle after a start with the pods, {Mb(lastIdle.Resources.ResidentBytes)} MB idle " +
            $"after round {rows.Count} ({(lastIdle.Resources.ResidentBytes / (double)w.Resources.ResidentBytes) - 1:+0%;-0%;+0%})")));
}

foreach (var (what, ok, detail) in verdicts)
{
    Console.WriteLine($"{(ok ? "ok  " : "FAIL")} {what}: {detail}");
}

if (settings.LingerSeconds > 0)
{
    // Time to look at the settled process by hand (dotnet-gcdump, /proc/PID/smaps) before it is killed.
    Console.WriteLine($"lingering {settings.LingerSeconds} s: forwarder pid {forwarder.Id}");
    await Task.Delay(TimeSpan.FromSeconds(settings.LingerSeconds));
}

return verdicts.All(v => v.Ok) ? 0 : 1;

async Task<ChurnSample> WithQuietRateAsync(ChurnSample idle)
{
    if (settings.QuietSeconds <= 0)
    {
        return idle;
    }

    var (allocated, cpu) = await forwarder.QuietRateAsync(settings.QuietSeconds);
    return idle with { QuietAllocatedKbPerSecond = allocated, QuietCpuMsPerSecond = cpu };
}

static string Mb(long bytes) => (bytes / (1024.0 * 1024)).ToString("0.0", CultureInfo.InvariantCulture);

static void Print(string round, PodChurn churn, ChurnSample s, ChurnSample idle) =>
    Console.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"{round,5} {churn.FilesCreated,7} {churn.LinesWritten,8} {Mb(s.Resources.ResidentBytes),7} " +
        $"{Mb(idle.Resources.ResidentBytes),9} {Mb(idle.Split.AnonymousBytes),5} {Mb(idle.Split.FileBytes),5} " +
        $"{Mb(idle.HeapBytes),5} {Mb(idle.CommittedBytes),5} {idle.Trims,5} " +
        $"{s.Resources.Descriptors,4} {s.Resources.InotifyWatches,8} {idle.Resources.Threads,8} " +
        $"{s.CheckpointBytes,7} {s.CheckpointEntries,13} {s.TailedFiles,7} {s.Seconds,9:0.0} " +
        $"{idle.QuietAllocatedKbPerSecond,11:0} {idle.QuietCpuMsPerSecond,9:0.0}"));
