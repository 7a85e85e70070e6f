using TestSupport;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace EndToEnd.Tests;

/// <summary>
/// The Forwarder shipping over <c>relp://</c> to a real, private rsyslogd with imrelp (librelp's server).
/// </summary>
public sealed class RelpInteropTests(ITestOutputHelper output)
{
    private const string Template = @"%app-name%\t%msg%\n";

    [PeerFact("rsyslogd", "imrelp.so")]
    public async Task RsyslogImrelpReceivesEveryLineOnceInOrder()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var logs = Enumerable
            .Range(0, 4)
            .Select(f => tree.AddContainer(
                "shop",
                $"cart-{f}",
                $"app{f}",
                f % 2 == 0 ? RuntimeFormat.Docker : RuntimeFormat.Cri))
            .ToArray();
        for (int f = 0; f < logs.Length; f++)
        {
            logs[f].AppendMany(Lines(f, 0, 2000));
        }

        await using var rsyslog = await RsyslogRelpReceiver.StartAsync(dir, Template);
        await using var forwarder = await ForwarderProcess.StartAsync(
            tree.ContainersGlob,
            [$"relp://127.0.0.1:{rsyslog.Port}"],
            dir.Combine("state"));
        foreach (var log in logs)
        {
            log.Append("sentinel");
        }

        await WaitForSentinelsAsync(rsyslog, logs.Length, forwarder);

        // RELP keeps each file's order; the Forwarder reads files concurrently, so compare per container.
        var lines = rsyslog.ReadLines();
        for (int f = 0; f < logs.Length; f++)
        {
            Assert.Equal([.. Lines(f, 0, 2000), "sentinel"], Of(lines, $"app{f}"));
        }

        Assert.Equal(4 * 2001, lines.Count);
        Assert.Equal(0, await forwarder.MetricAsync("kubesyslog_forwarder_target_resent_lines_total"));
    }

    [PeerFact("rsyslogd", "imrelp.so")]
    public async Task RsyslogStoppedAndRestartedMidStreamLosesNothing()
    {
        const int Total = 30_000;
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("shop", "cart-0", "app0", RuntimeFormat.Cri);
        await using var rsyslog = await RsyslogRelpReceiver.StartAsync(dir, Template);
        await using var forwarder = await ForwarderProcess.StartAsync(
            tree.ContainersGlob,
            [$"relp://127.0.0.1:{rsyslog.Port}"],
            dir.Combine("state"),
            "--max-retry-delay",
            "500ms");

        var writing = Task.Run(async () =>
        {
            for (int start = 0; start < Total; start += 500)
            {
                log.AppendMany(Lines(0, start, 500));
                await Task.Delay(10);
            }
        });
        for (int stop = 0; stop < 3; stop++)
        {
            int before = rsyslog.ReadLines().Count;
            await Wait.UntilAsync(
                () => rsyslog.ReadLines().Count >= before + 2000,
                "more lines at rsyslogd before stopping it",
                TimeSpan.FromSeconds(60));
            await rsyslog.StopAsync();
            await rsyslog.RestartAsync();
        }

        await writing;
        log.Append("sentinel");
        await WaitForSentinelsAsync(rsyslog, 1, forwarder);

        var got = Of(rsyslog.ReadLines(), "app0");
        var firsts = new List<string>();
        var seen = new HashSet<string>();
        foreach (string line in got)
        {
            if (seen.Add(line))
            {
                firsts.Add(line);
            }
        }

        int duplicates = got.Count - firsts.Count;
        double resent = await forwarder.MetricAsync("kubesyslog_forwarder_target_resent_lines_total");
        output.WriteLine($"{got.Count} lines at rsyslogd for {Total + 1} written: {duplicates} duplicates, {resent} " +
            "resent by the Forwarder over 3 restarts");

        // Nothing lost and nothing out of order; a line is duplicated only when rsyslog wrote it but its answer was
        // lost with the session, which is at most one window (128) per broken session.
        Assert.Equal([.. Lines(0, 0, Total), "sentinel"], firsts);
        Assert.InRange(duplicates, 0, 3 * 128);
    }

    private static List<string> Lines(int file, int from, int count) =>
        Enumerable.Range(from, count).Select(i => $"f{file}-{i:D6} some text of a line").ToList();

    private static List<string> Of(IReadOnlyList<string> lines, string app) =>
        lines.Where(l => l.StartsWith(app + "\t", StringComparison.Ordinal)).Select(l => l[(app.Length + 1)..]).ToList();

    private static async Task WaitForSentinelsAsync(RsyslogRelpReceiver rsyslog, int files, ForwarderProcess forwarder)
    {
        try
        {
            await Wait.UntilAsync(
                () => rsyslog.ReadLines().Count(l => l.EndsWith("\tsentinel", StringComparison.Ordinal)) >= files,
                "every sentinel at rsyslogd",
                TimeSpan.FromSeconds(90));

            // A quiet period after the sentinels: nothing else may come.
            int count = rsyslog.ReadLines().Count;
            await Task.Delay(500);
            Assert.Equal(count, rsyslog.ReadLines().Count);
        }
        catch (XunitException e)
        {
            throw new XunitException($"{e.Message} Have {rsyslog.ReadLines().Count}." +
                $"\nrsyslogd said:\n{rsyslog.Diagnostics}\nForwarder said:\n{forwarder.Output}");
        }
    }
}
