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
        "[--tolerance 0.10] [--linger SECONDS] [-- forwarder args]");
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
Console.WriteLine("round   files    lines  RSS MB  heap MB  fds  watches  threads  ckpt B  ckpt entries  tailed  settle s");
Print("start", churn, start);
var rows = new List<ChurnSample>();
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
    rows.Add(sample);
    Print(round.ToString(CultureInfo.InvariantCulture), churn, sample);
}

var end = rows[^1];
if (settings.Restarts)
{
    churn.DeletePods();
    end = await forwarder.SettleAsync(churn, sink);
    Print("end", churn, end);
}

string? delivery = churn.Compare(sink.Frames.Select(f => ReceivedMessage.Parse(f.Payload)));
Console.WriteLine(delivery is null
    ? $"delivery: all {churn.LinesWritten} lines arrived exactly once, in order per pod, nothing else"
    : $"delivery: FAILED: {delivery}");

// Memory and threads are judged against the middle round: by then the load has warmed up what it warms up once (read
// buffer, batches, thread pool, with restarts 2 × pods files tailed), so the second half must not grow past it. What is
// on disk and checkpointed is judged against round 1, or with restarts round 2, the first after which a dead
// container's log is deleted.
var reference = rows[rows.Count / 2];
var steady = settings.Restarts && rows.Count > 1 ? rows[1] : rows[0];
var last = rows[^1];
var verdicts = new List<(string What, bool Ok, string Detail)>
{
    (
        "RSS",
        last.Resources.ResidentBytes <= reference.Resources.ResidentBytes * (1 + settings.Tolerance),
        $"{Mb(reference.Resources.ResidentBytes)} → {Mb(last.Resources.ResidentBytes)} MB"),
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
        last.Resources.Threads <= reference.Resources.Threads * (1 + settings.Tolerance),
        $"{reference.Resources.Threads} → {last.Resources.Threads}"),
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

static string Mb(long bytes) => (bytes / (1024.0 * 1024)).ToString("0.0", CultureInfo.InvariantCulture);

static void Print(string round, PodChurn churn, ChurnSample s) =>
    Console.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"{round,5} {churn.FilesCreated,7} {churn.LinesWritten,8} {Mb(s.Resources.ResidentBytes),7} " +
        $"{Mb(s.HeapBytes),8} {s.Resources.Descriptors,4} {s.Resources.InotifyWatches,8} {s.Resources.Threads,8} " +
        $"{s.CheckpointBytes,7} {s.CheckpointEntries,13} {s.TailedFiles,7} {s.SettleSeconds,9:0.0}"));
