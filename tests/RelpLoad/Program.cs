using System.Diagnostics;
using System.Globalization;
using RelpLoad;
using TestSupport;

// Many paced RELP sessions against a Collector process (or, with --receiver rsyslog, rsyslog's imrelp as the peer) on
// loopback: acknowledgement latency, loss, duplicates, and the receiver's memory and CPU. See docs/relp.md ("Load
// generator") for the targets and the figures it gave.
LoadSettings settings;
try
{
    settings = LoadSettings.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException or IndexOutOfRangeException or OverflowException)
{
    Console.Error.WriteLine($"relp-load: {e.Message}");
    Console.Error.WriteLine(LoadSettings.Usage);
    return 2;
}

// One descriptor per session here and one in the Collector (which inherits this limit), plus their files and sockets.
long limit = ResourceSampler.OpenFileLimit();
if (limit < settings.Sessions + 256)
{
    Console.Error.WriteLine(
        $"relp-load: the open-file limit is {limit}, too low for {settings.Sessions} sessions; " +
        $"raise it (ulimit -n {settings.Sessions + 1024})");
    return 2;
}

const long RssTarget = 150L * 1024 * 1024;
var p99Target = TimeSpan.FromMilliseconds(50);

using var dir = TempDirectory.Create("relp-load");
LoadReceiver receiver;
try
{
    receiver = await LoadReceiver.StartAsync(settings, dir);
}
catch (Exception e) when (e is InvalidOperationException or Xunit.Sdk.XunitException)
{
    Console.Error.WriteLine($"relp-load: {e.Message}");
    return 1;
}

await using var running = receiver;
var relp = receiver.Relp;
var sampler = new ResourceSampler(receiver.ProcessId);
var clock = Stopwatch.StartNew();
var startup = sampler.Take(clock.Elapsed);
string answers = settings.AgainstRsyslog ? "imrelp, main queue Direct" : $"--relp-ack-after {settings.AckAfter}";
Console.WriteLine(string.Create(
    CultureInfo.InvariantCulture,
    $"{receiver.Name} pid {receiver.ProcessId} on {relp} ({answers}), " +
    $"{settings.Sessions} sessions × {settings.Rate} msgs/s × {settings.Seconds} s, {settings.Size} B messages, " +
    $"window {settings.Window}; {Environment.ProcessorCount} cores, load {startup.Load:0.00}, " +
    $"RSS at start {Mb(startup.RssBytes)} MB"));

var ackLatency = new LatencyHistogram();
var ackArrival = new LatencyHistogram();
var sendLag = new LatencyHistogram();
var sessions = Enumerable.Range(0, settings.Sessions).Select(i => new LoadSession(i, settings, ackLatency, ackArrival, sendLag)).ToArray();

// Connect in groups so the listen backlog does not overflow; every session is open before the first message.
// (Blocking calls, a few at a time: see LoadSession.Connect.)
Parallel.ForEach(sessions, new ParallelOptions { MaxDegreeOfParallelism = 16 }, s => s.Connect(relp));

var connected = sampler.Take(clock.Elapsed);
double generatorCpuAtStart = ResourceSampler.CpuSeconds(Environment.ProcessId);
Console.WriteLine(string.Create(
    CultureInfo.InvariantCulture,
    $"{settings.Sessions} sessions open after {connected.At.TotalSeconds:0.0} s; RSS {Mb(connected.RssBytes)} MB"));
Console.WriteLine("     t s       sent      acked  RSS MB  CPU %  load");

using var stopSampling = new CancellationTokenSource();
var sendStart = clock.Elapsed;
double lastCpu = connected.CpuSeconds;
var lastAt = connected.At;
int tick = 0;
var sampling = sampler.RunAsync(clock, s =>
{
    if (++tick % 10 != 0)
    {
        return;
    }

    double cpu = (s.CpuSeconds - lastCpu) / (s.At - lastAt).TotalSeconds * 100;
    (lastCpu, lastAt) = (s.CpuSeconds, s.At);
    long sentNow = sessions.Sum(x => (long)x.Sent);
    long ackedNow = sessions.Sum(x => (long)x.Acknowledged);
    Console.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"{(s.At - sendStart).TotalSeconds,6:0} {sentNow,10} {ackedNow,10} " +
        $"{Mb(s.RssBytes),7} {cpu,6:0} {s.Load,5:0.00}"));
}, stopSampling.Token);

long start = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 5);
using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(settings.Seconds + 300));
using var poller = new AnswerPoller(sessions);
poller.Start(giveUp.Token);
// Each sending thread takes every Nth session: at 100,000 messages/s one thread's send calls come close to a core.
for (int t = 0; t < Math.Min(settings.Senders, settings.Sessions); t++)
{
    var share = sessions.Where(s => s.Id % settings.Senders == t).ToArray();
    new LoadPacer(share, settings.MessagesPerSession, start).Start(giveUp.Token);
}

var allDone = Task.WhenAll(sessions.Select(s => s.Completion));
if (await Task.WhenAny(allDone, Task.Delay(Timeout.Infinite, giveUp.Token).ContinueWith(_ => { }, TaskScheduler.Default)) != allDone)
{
    foreach (var session in sessions)
    {
        session.Abort("not finished 300 s after the last message was due");
    }
}

var sendEnd = clock.Elapsed;
await stopSampling.CancelAsync();
await sampling;
var end = sampler.Take(clock.Elapsed);

foreach (var session in sessions)
{
    session.Dispose();
}

string counters = await receiver.CountersAsync();
var stored = receiver.ReadStored();

long sent = sessions.Sum(s => (long)s.Sent);
long acknowledged = sessions.Sum(s => (long)s.Acknowledged);
long lost = sessions.Sum(s => (long)Math.Max(0, s.Acknowledged - stored.StoredOf(s.Id)));
long storedUnsent = sessions.Sum(s => (long)Math.Max(0, stored.StoredOf(s.Id) - s.Sent));
var failures = sessions.Where(s => s.Failure is not null).ToList();
var during = sampler.Samples.Where(s => s.At >= sendStart && s.At <= sendEnd).ToList();
long peakRss = sampler.Samples.Max(s => s.RssBytes);
long medianRss = Median(during.Select(s => s.RssBytes));
double medianLoad = Median(during.Select(s => s.Load));
double cpuSeconds = end.CpuSeconds - connected.CpuSeconds;
double generatorCpu = ResourceSampler.CpuSeconds(Environment.ProcessId) - generatorCpuAtStart;
double seconds = (sendEnd - sendStart).TotalSeconds;

Console.WriteLine();
Console.WriteLine(string.Create(
    CultureInfo.InvariantCulture,
    $"sent {sent}, acknowledged {acknowledged}, refused {sessions.Sum(s => s.Refused)} in {seconds:0.0} s " +
    $"({acknowledged / seconds:0} msgs/s); sessions failed: {failures.Count}"));
Console.WriteLine(string.Create(
    CultureInfo.InvariantCulture,
    $"ack latency: p50 {Ms(ackLatency.Quantile(0.5))} ms, p99 {Ms(ackLatency.Quantile(0.99))} ms, " +
    $"p99.9 {Ms(ackLatency.Quantile(0.999))} ms, max {Ms(ackLatency.Max)} ms ({ackLatency.Count} answers)"));
Console.WriteLine(string.Create(
    CultureInfo.InvariantCulture,
    $"ack latency to the answer's arrival (SO_TIMESTAMPNS, without this generator's delay in reading it): " +
    $"p50 {Ms(ackArrival.Quantile(0.5))} ms, p99 {Ms(ackArrival.Quantile(0.99))} ms, " +
    $"p99.9 {Ms(ackArrival.Quantile(0.999))} ms, max {Ms(ackArrival.Max)} ms"));
Console.WriteLine(string.Create(
    CultureInfo.InvariantCulture,
    $"generator lag behind schedule: p50 {Ms(sendLag.Quantile(0.5))} ms, p99 {Ms(sendLag.Quantile(0.99))} ms, " +
    $"max {Ms(sendLag.Max)} ms"));
Console.WriteLine(string.Create(
    CultureInfo.InvariantCulture,
    $"{receiver.Name} RSS: peak {Mb(peakRss)} MB, median while sending {Mb(medianRss)} MB, " +
    $"at the end {Mb(end.RssBytes)} MB; CPU {cpuSeconds:0.0} s ({cpuSeconds / seconds * 100:0} % of one core, " +
    $"{PerMessage(cpuSeconds)} µs per message); this generator: {generatorCpu:0.0} s ({PerMessage(generatorCpu)} µs per message)"));
Console.WriteLine(string.Create(
    CultureInfo.InvariantCulture,
    $"load average (1 min): median {medianLoad:0.00} while sending, " +
    $"max {during.Select(s => s.Load).DefaultIfEmpty().Max():0.00}"));
Console.WriteLine(counters);
Console.WriteLine(string.Create(
    CultureInfo.InvariantCulture,
    $"stored: {stored.Lines} lines; acknowledged but not stored {lost}, duplicates {stored.Duplicates}, " +
    $"skipped {stored.Skipped}, other lines {stored.Foreign}, stored but never sent {storedUnsent}"));
foreach (var failed in failures.Take(5))
{
    Console.WriteLine($"session {failed.Id} failed: {failed.Failure}");
}

bool deliveredExactly =
    lost == 0 && stored.Duplicates == 0 && stored.Skipped == 0 && stored.Foreign == 0 && storedUnsent == 0;
long expectedAcks = (long)settings.Sessions * settings.MessagesPerSession;
var verdicts = new List<(string What, bool Ok, string Detail)>
{
    ("delivery", deliveredExactly, $"{lost} lost, {stored.Duplicates} duplicates, {stored.Skipped} skipped"),
    ("all answered", failures.Count == 0 && acknowledged == expectedAcks, $"{acknowledged} of {expectedAcks}"),
    ("RSS", peakRss <= RssTarget, $"peak {Mb(peakRss)} MB (target ≤ {Mb(RssTarget)})"),
    ("p99 latency", ackLatency.Quantile(0.99) <= p99Target, $"{Ms(ackLatency.Quantile(0.99))} ms (target ≤ {p99Target.TotalMilliseconds:0})"),
};
foreach (var (what, ok, detail) in verdicts)
{
    Console.WriteLine($"{(ok ? "ok  " : "FAIL")} {what}: {detail}");
}

return verdicts.All(v => v.Ok) ? 0 : 1;

// CPU seconds (user + system, from /proc/PID/stat) per message sent: what to compare between builds on a busy machine.
string PerMessage(double cpu) => (cpu / Math.Max(1, sent) * 1e6).ToString("0.00", CultureInfo.InvariantCulture);

static string Mb(long bytes) => (bytes / (1024.0 * 1024)).ToString("0.0", CultureInfo.InvariantCulture);

static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0.00", CultureInfo.InvariantCulture);

static T Median<T>(IEnumerable<T> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count == 0 ? default! : sorted[sorted.Count / 2];
}
