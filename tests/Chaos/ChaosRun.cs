using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using TestSupport;

namespace Chaos;

/// <summary>
/// The chaos run (docs/chaos.md): a real Collector and a real Forwarder (<c>dotnet X.dll</c>), the Forwarder shipping
/// over <c>relp://</c>; container logs written at a steady rate and rotated; each program killed with SIGKILL at the
/// planned moments and started again shortly after; then the writing stops, the Collector is given until nothing
/// more arrives, and its files and its <c>/api/v1/sources</c> are checked line by line.
/// </summary>
public sealed class ChaosRun(ChaosSettings settings, Action<string> log)
{
    public const string Node = "chaos-node";

    private const string DuplicatesMetric = "kubesyslog_collector_source_duplicates_total";

    /// <summary>With no line arriving for this long, the drain gives up (something was lost).</summary>
    private static readonly TimeSpan NoProgressLimit = TimeSpan.FromSeconds(60);

    // The duplicates counter goes on across restarts through sources.json, saved every 5 s: a SIGKILL loses what was
    // counted since the last save. So it is read at each start and just before each kill, and what each process
    // counted is added up here (still a lower bound: what it counted after the last read before its kill is lost).
    private double _duplicatesSeen;
    private double _duplicatesAtStart;

    public async Task<ChaosResult> RunAsync(TempDirectory directory)
    {
        var tree = new NodeLogTree(directory);
        var logs = Enumerable.Range(0, settings.Files)
            .Select(f => tree.AddContainer("chaos", $"writer-{f}", "app", settings.FormatOf(f)))
            .ToArray();
        string messages = directory.Combine("collector", "messages");
        Directory.CreateDirectory(Path.GetDirectoryName(messages)!);
        int relp = FixedPort.Pick();
        int collectorHttp = FixedPort.Pick();
        int forwarderHttp = FixedPort.Pick();
        await using var collector = new Daemon(
            "Collector",
            settings.CollectorDll,
            [
                "--tcp", "127.0.0.1:0", "--udp", "", "--relp", $"127.0.0.1:{relp}", "--http", $"127.0.0.1:{collectorHttp}",
                "--file", messages, "--max-file-size", "64MiB", "--max-files", "500", "--max-total-size", "0", "--compress", "false",
                "--log-level", settings.LogLevel,
            ],
            collectorHttp,
            "/readyz");
        await using var forwarder = new Daemon(
            "Forwarder",
            settings.ForwarderDll,
            [
                "--include", tree.ContainersGlob, "--to", $"relp://127.0.0.1:{relp}", "--state", directory.Combine("forwarder-state"),
                "--node", Node, "--http", $"127.0.0.1:{forwarderHttp}", "--log-level", settings.LogLevel, "--max-retry-delay", "2s",
            ],
            forwarderHttp,
            "/healthz");

        var plan = KillPlan.Draw(
            new Random(settings.Seed),
            settings.CollectorKills,
            settings.ForwarderKills,
            settings.Duration,
            settings.MaxRestartDelay);
        await using var writer = new RotatingWriter(logs, settings.LinesPerSecond, settings.RotateBytes);
        await collector.StartAsync();
        _duplicatesAtStart = await DuplicatesAsync(collector);
        await forwarder.StartAsync();
        writer.Start();
        var done = new List<KillDone>();
        try
        {
            for (int k = 0; k < plan.Kills.Count; k++)
            {
                var kill = plan.Kills[k];
                var wait = kill.At - writer.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }

                var daemon = kill.Target == Target.Collector ? collector : forwarder;
                if (daemon == collector)
                {
                    _duplicatesSeen += Math.Max(0, await DuplicatesAsync(collector) - _duplicatesAtStart);
                }

                var at = writer.Elapsed;
                await daemon.KillAsync();
                await Task.Delay(kill.Down);
                var restart = Stopwatch.StartNew();
                await daemon.StartAsync();
                if (daemon == collector)
                {
                    _duplicatesAtStart = await DuplicatesAsync(collector);
                }

                done.Add(new KillDone(kill.Target, at, kill.Down, restart.Elapsed));
                log(string.Create(
                    CultureInfo.InvariantCulture,
                    $"kill {k + 1}/{plan.Kills.Count}: {kill.Target} at {at.TotalSeconds:0.0} s, " +
                    $"down {kill.Down.TotalMilliseconds:0} ms, " +
                    $"ready {restart.Elapsed.TotalSeconds:0.0} s after its start; {writer.Total} lines written"));
            }

            var rest = settings.Duration - writer.Elapsed;
            if (rest > TimeSpan.Zero)
            {
                await Task.Delay(rest);
            }
        }
        finally
        {
            await writer.StopAsync();
        }

        var written = writer.Written;
        log(string.Create(
            CultureInfo.InvariantCulture,
            $"writing stopped: {writer.Total} lines in {writer.Elapsed.TotalSeconds:0.0} s " +
            $"({writer.Total / writer.Elapsed.TotalSeconds:0} lines/s), {writer.Rotations} rotations"));
        var drain = Stopwatch.StartNew();
        long arrived = await DrainAsync(collector, messages, written.Sum());
        log(string.Create(
            CultureInfo.InvariantCulture,
            $"drained: {arrived} lines listed by /api/v1/sources, quiet {settings.Quiet.TotalSeconds:0} s, " +
            $"{drain.Elapsed.TotalSeconds:0.0} s after the writing stopped"));

        string sourcesJson = await collector.GetAsync("api/v1/sources");
        string metrics = await collector.GetAsync("metrics");
        var files = StoredLines.Files(messages);
        var report = DeliveryReport.Check(written, StoredLines.Read(messages));
        var sources = SourcesCheck.Compare(sourcesJson, report.Sources);
        var result = new ChaosResult(
            settings,
            done,
            written,
            writer.Elapsed,
            writer.Rotations,
            drain.Elapsed,
            files.Count,
            files.Sum(f => new FileInfo(f).Length),
            report,
            sources,
            MetricSum(metrics, DuplicatesMetric),
            _duplicatesSeen + Math.Max(0, MetricSum(metrics, DuplicatesMetric) - _duplicatesAtStart),
            MetricSum(metrics, "kubesyslog_collector_source_gaps_total"),
            collector.Output,
            forwarder.Output);
        await forwarder.TerminateAsync();
        await collector.TerminateAsync();

        // Kept with the run's directory (--keep) for a look at what the programs said.
        await File.WriteAllTextAsync(directory.Combine("collector.log"), collector.Output);
        await File.WriteAllTextAsync(directory.Combine("forwarder.log"), forwarder.Output);
        return result;
    }

    /// <summary>
    /// Until the Collector lists every line written (or nothing has arrived for <see cref="NoProgressLimit"/>), then
    /// until its files have not grown for the quiet period: re-sends still on their way would be stored by then.
    /// </summary>
    private async Task<long> DrainAsync(Daemon collector, string messages, long total)
    {
        long arrived = -1;
        long progressAt = Environment.TickCount64;
        while (arrived < total && Environment.TickCount64 - progressAt < NoProgressLimit.TotalMilliseconds)
        {
            await Task.Delay(250);
            long now = await ListedLinesAsync(collector);
            if (now != arrived)
            {
                arrived = now;
                progressAt = Environment.TickCount64;
            }
        }

        await Wait.UntilQuietAsync(
            () => StoredLines.Files(messages).Sum(f => new FileInfo(f).Length),
            settings.Quiet,
            "the messages files",
            NoProgressLimit + settings.Quiet,
            TimeSpan.FromMilliseconds(100));
        return arrived;
    }

    private static async Task<double> DuplicatesAsync(Daemon collector)
    {
        try
        {
            return MetricSum(await collector.GetAsync("metrics"), DuplicatesMetric);
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }

    private static async Task<long> ListedLinesAsync(Daemon collector)
    {
        try
        {
            using var json = JsonDocument.Parse(await collector.GetAsync("api/v1/sources"));
            return json.RootElement.GetProperty("data").GetProperty("sources").EnumerateArray().Sum(s => s.GetProperty("lines").GetInt64());
        }
        catch (HttpRequestException)
        {
            return -1;
        }
    }

    private static double MetricSum(string text, string name) =>
        text.Split('\n')
            .Where(l => l.StartsWith(name, StringComparison.Ordinal) && (l.Length > name.Length && (l[name.Length] == ' ' || l[name.Length] == '{')))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
}

/// <summary>
/// A kill as it happened: when (since the writing started), how long the program was down, how long its start took.
/// </summary>
public readonly record struct KillDone(Target Target, TimeSpan At, TimeSpan Down, TimeSpan Start);
