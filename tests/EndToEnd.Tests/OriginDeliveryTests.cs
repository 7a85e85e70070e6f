using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TestSupport;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace EndToEnd.Tests;

/// <summary>
/// Origins end to end (docs/sources.md): real Forwarder and Collector processes, SIGKILL, real files. Whatever the
/// Forwarder sends again, the messages file holds every line exactly once, in order per file.
/// </summary>
public sealed class OriginDeliveryTests(ITestOutputHelper output)
{
    private const int Kills = 8;

    [Fact]
    public async Task AForwarderKilledAgainAndAgainLeavesEveryLineStoredExactlyOnce()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var logs = Enumerable.Range(0, 4)
            .Select(f => tree.AddContainer("jobs", $"worker-{f}", "main", f % 2 == 0 ? RuntimeFormat.Docker : RuntimeFormat.Cri))
            .ToArray();
        await using var collector = await CollectorProcess.StartAsync(dir.Combine("messages"));
        await using var writer = new SequencedWriter(logs, 400);
        string state = dir.Combine("state");

        // Checkpoints every 2 s: each kill leaves up to 2 s of shipped lines unsaved,
        // which the next process sends again.
        string[] args = ["--checkpoint-interval", "2s"];
        int seed = Environment.TickCount;
        var random = new Random(seed);
        writer.Start();
        for (int k = 0; k < Kills; k++)
        {
            var forwarder = await ForwarderProcess.StartAsync(tree.ContainersGlob, [$"tcp://{collector.Tcp}"], state, args);
            await Task.Delay(random.Next(500, 2500));
            await forwarder.KillAsync();
        }

        await using (var last = await ForwarderProcess.StartAsync(tree.ContainersGlob, [$"tcp://{collector.Tcp}"], state, args))
        {
            await Task.Delay(500);
            await writer.StopAsync();
            await WaitUntilStoredAsync(collector, writer, $"seed {seed}\nForwarder said:\n{last.Output}");
        }

        AssertExactlyOnceInOrder(collector, writer.Written, $"seed {seed}");
        var metrics = await GetAsync(collector, "/metrics");
        double duplicates = Metrics.Sum(metrics, "kubesyslog_collector_source_duplicates_total");
        output.WriteLine($"{writer.Total} lines written and stored once; {duplicates} re-sent lines dropped over {Kills} kills (seed {seed})");
        Assert.True(duplicates > 0, $"no kill made the Forwarder send anything again (seed {seed}): the test proved nothing");
        await AssertNoGapsAsync(collector, logs.Length, writer.Written);
    }

    [Fact]
    public async Task ACollectorKilledAndRestartedStillDropsEverythingItHadStored()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var logs = Enumerable.Range(0, 4)
            .Select(f => tree.AddContainer("jobs", $"worker-{f}", "main", f % 2 == 0 ? RuntimeFormat.Docker : RuntimeFormat.Cri))
            .ToArray();
        var written = new long[logs.Length];
        Append(logs, written, 300);
        string file = dir.Combine("messages");
        await using (var first = await CollectorProcess.StartAsync(file))
        {
            var forwarder = await ForwarderProcess.StartAsync(tree.ContainersGlob, [$"tcp://{first.Tcp}"], dir.Combine("state-1"));
            try
            {
                await Wait.UntilAsync(() => first.ReadLines().Length >= written.Sum(), $"{written.Sum()} lines stored", TimeSpan.FromSeconds(60));
            }
            finally
            {
                // SIGKILL both, the Collector at once: its last save of sources.json is older than some of these lines.
                await forwarder.KillAsync();
            }
        }

        // A Forwarder that lost its state reads every file from the top again: each of those lines is a re-send.
        await using var second = await CollectorProcess.StartAsync(file);
        await using (var again = await ForwarderProcess.StartAsync(tree.ContainersGlob, [$"tcp://{second.Tcp}"], dir.Combine("state-2")))
        {
            Append(logs, written, 50);
            var w = written.ToList();
            await WaitUntilStoredAsync(second, w, $"Forwarder said:\n{again.Output}\nCollector said:\n{second.Output}");
        }

        AssertExactlyOnceInOrder(second, written, "after the Collector's restart");
        Assert.Equal(4 * 300, Metrics.Sum(await GetAsync(second, "/metrics"), "kubesyslog_collector_source_duplicates_total"));
        await AssertNoGapsAsync(second, logs.Length, written);
    }

    [Fact]
    public async Task LinesTheForwarderSkippedShowAsAGapWithTheirExactByteRange()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("jobs", "worker-0", "main", RuntimeFormat.Cri);
        var written = new long[1];
        Append([log], written, 100);
        await using var collector = await CollectorProcess.StartAsync(dir.Combine("messages"));
        string state = dir.Combine("state");
        await using (var forwarder = await ForwarderProcess.StartAsync(tree.ContainersGlob, [$"tcp://{collector.Tcp}"], state))
        {
            await Wait.UntilAsync(() => collector.ReadLines().Length >= 100, "100 lines stored", TimeSpan.FromSeconds(60));
            Assert.Equal(0, await forwarder.TerminateAsync(TimeSpan.FromSeconds(30)));
        }

        // Lines 100-119 are written; the checkpoint is moved past 100-109, as if they had been sent into a Collector
        // that then lost them.
        Append([log], written, 20);
        long[] ends = LineEnds(log.RealPath);
        string checkpoints = Path.Combine(state, "checkpoints.json");
        var json = JsonNode.Parse(File.ReadAllText(checkpoints))!;
        var entry = json["files"]!.AsArray().Single(f => (string?)f!["realPath"] == log.RealPath || (string?)f!["path"] == log.RealPath)!;
        entry["offset"] = ends[109];
        File.WriteAllText(checkpoints, json.ToJsonString());

        await using (var forwarder = await ForwarderProcess.StartAsync(tree.ContainersGlob, [$"tcp://{collector.Tcp}"], state))
        {
            await Wait.UntilAsync(() => collector.ReadLines().Length >= 110, "110 lines stored", TimeSpan.FromSeconds(60));
        }

        var numbers = collector.ReadLines().Select(l => SequencedWriter.Parse(Message(l))!.Value.N).ToList();
        Assert.Equal([.. Enumerable.Range(0, 100).Select(n => (long)n), .. Enumerable.Range(110, 10).Select(n => (long)n)], numbers);
        // The sources table is built from lines read back from the file, a moment after the file shows them: wait for
        // the last line too.
        var source = await WaitForSourceAsync(
            collector, s => s.GetProperty("gaps").GetProperty("count").GetInt64() == 1 && s.GetProperty("lines").GetInt64() >= 110);
        var range = Assert.Single(source.GetProperty("gaps").GetProperty("ranges").EnumerateArray());
        Assert.Equal((ends[99], ends[109]), (range.GetProperty("from").GetInt64(), range.GetProperty("to").GetInt64()));
        Assert.Equal(
            (0, ends[119], 110),
            (source.GetProperty("first").GetInt64(),
                source.GetProperty("last").GetInt64(),
                source.GetProperty("lines").GetInt64()));
        Assert.Equal(log.LinkPath, source.GetProperty("path").GetString());
        Assert.Equal(ends[109] - ends[99], Metrics.Sum(await GetAsync(collector, "/metrics"), "kubesyslog_collector_source_gap_bytes_total"));
    }

    /// <summary>
    /// What kubelet does to a log it rotates while the Forwarder is down (renamed, compressed, the plain file deleted):
    /// what was written to it after the checkpoint is gone, and nobody knows how much. The Forwarder says where the
    /// loss starts on the next file's first message, and the gap shows on the deleted file's source, open-ended.
    /// </summary>
    [Fact]
    public async Task ARotatedFileDeletedBeforeTheForwarderReadItToItsEndShowsAsAGapFromItsCheckpoint()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("jobs", "worker-0", "main", RuntimeFormat.Cri);
        var written = new long[1];
        Append([log], written, 100);
        await using var collector = await CollectorProcess.StartAsync(dir.Combine("messages"));
        string state = dir.Combine("state");
        string[] targets = [$"relp://{collector.Relp}"];
        await using (var forwarder = await ForwarderProcess.StartAsync(tree.ContainersGlob, targets, state))
        {
            await Wait.UntilAsync(() => collector.ReadLines().Length >= 100, "100 lines stored", TimeSpan.FromSeconds(60));
            Assert.Equal(0, await forwarder.TerminateAsync(TimeSpan.FromSeconds(30)));
        }

        // Lines 100-149 go to the file, which is rotated and deleted; 150-179 to the new one.
        Append([log], written, 50);
        long[] ends = LineEnds(log.RealPath);
        File.Delete(log.RotateLikeKubelet("20261122-100000"));
        Append([log], written, 30);
        await using (var forwarder = await ForwarderProcess.StartAsync(tree.ContainersGlob, targets, state))
        {
            await Wait.UntilAsync(() => collector.ReadLines().Length >= 130, "130 lines stored", TimeSpan.FromSeconds(60));
            await Wait.UntilQuietAsync(
                () => collector.ReadLines().Length,
                TimeSpan.FromSeconds(1),
                "the messages file",
                TimeSpan.FromSeconds(30),
                TimeSpan.FromMilliseconds(100));
        }

        var numbers = collector.ReadLines().Select(l => SequencedWriter.Parse(Message(l))!.Value.N).ToList();
        Assert.Equal([.. Enumerable.Range(0, 100).Select(n => (long)n), .. Enumerable.Range(150, 30).Select(n => (long)n)], numbers);
        var sources = await WaitForSourcesAsync(
            collector, s => s.Count == 2 && s.Sum(x => x.GetProperty("gaps").GetProperty("count").GetInt64()) == 1);
        var deleted = Assert.Single(sources, s => s.GetProperty("lines").GetInt64() == 100);
        var next = Assert.Single(sources, s => s.GetProperty("lines").GetInt64() == 30);
        var range = Assert.Single(deleted.GetProperty("gaps").GetProperty("ranges").EnumerateArray());
        Assert.Equal(ends[99], range.GetProperty("from").GetInt64());
        Assert.Equal(JsonValueKind.Null, range.GetProperty("to").ValueKind);
        var deletedGaps = deleted.GetProperty("gaps");
        Assert.Equal(
            (0, ends[99], 1, 0),
            (deleted.GetProperty("first").GetInt64(),
                deleted.GetProperty("last").GetInt64(),
                deletedGaps.GetProperty("count").GetInt64(),
                deletedGaps.GetProperty("bytes").GetInt64()));
        Assert.Equal((0, 0), (next.GetProperty("first").GetInt64(), next.GetProperty("gaps").GetProperty("count").GetInt64()));
        Assert.Equal(log.LinkPath, deleted.GetProperty("path").GetString());
        Assert.Equal(1, Metrics.Sum(await GetAsync(collector, "/metrics"), "kubesyslog_collector_source_gaps_total"));
    }

    private static void Append(ContainerLog[] logs, long[] written, int count)
    {
        for (int f = 0; f < logs.Length; f++)
        {
            logs[f].AppendMany(Enumerable.Range(0, count).Select(i => SequencedWriter.Text(f, written[f] + i)));
            written[f] += count;
        }
    }

    /// <summary>The offset after each line's '\n': where the entry ends in the file.</summary>
    private static long[] LineEnds(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var ends = new List<long>();
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == '\n')
            {
                ends.Add(i + 1);
            }
        }

        return [.. ends];
    }

    /// <summary>MSG of a stored line (either layout of the file format).</summary>
    private static string Message(string line) => StoredMessage.Of(line);

    /// <summary>
    /// Until every written line is in the file, then a quiet second: re-sends still on their way would show.
    /// </summary>
    private static async Task WaitUntilStoredAsync(CollectorProcess collector, IReadOnlyList<long> written, string context)
    {
        long total = written.Sum();
        try
        {
            await Wait.UntilAsync(() => Keys(collector).Distinct().Count() >= total, $"all {total} lines stored", TimeSpan.FromSeconds(90));
        }
        catch (XunitException e)
        {
            throw new XunitException($"{e.Message} (have {Keys(collector).Distinct().Count()})\n{context}");
        }

        int count = collector.ReadLines().Length;
        long quietSince = Environment.TickCount64;
        await Wait.UntilAsync(
            () =>
            {
                int now = collector.ReadLines().Length;
                if (now != count)
                {
                    count = now;
                    quietSince = Environment.TickCount64;
                }

                return Environment.TickCount64 - quietSince >= 1000;
            },
            "a quiet second in the messages file",
            TimeSpan.FromSeconds(30));
    }

    private static Task WaitUntilStoredAsync(CollectorProcess collector, SequencedWriter writer, string context) =>
        WaitUntilStoredAsync(collector, writer.Written, context);

    private static List<(int File, long N)> Keys(CollectorProcess collector) =>
        [.. collector.ReadLines().Select(l => SequencedWriter.Parse(Message(l)) ?? throw new InvalidDataException($"not a sequenced line: {l}"))];

    /// <summary>
    /// Per file, the stored numbers are exactly 0 … written-1, in order: nothing lost, nothing twice.
    /// </summary>
    private static void AssertExactlyOnceInOrder(CollectorProcess collector, IReadOnlyList<long> written, string context)
    {
        var keys = Keys(collector);
        for (int f = 0; f < written.Count; f++)
        {
            var stored = keys.Where(k => k.File == f).Select(k => k.N).ToList();
            var expected = Enumerable.Range(0, (int)written[f]).Select(n => (long)n).ToList();
            if (!stored.SequenceEqual(expected))
            {
                int at = stored.Zip(expected).TakeWhile(p => p.First == p.Second).Count();
                throw new XunitException(
                    $"file {f}: {stored.Count} lines stored, {expected.Count} written, " +
                    $"{stored.Count - stored.Distinct().Count()} twice; first difference at index {at}: " +
                    $"stored {string.Join(',', stored.Skip(Math.Max(0, at - 2)).Take(6))} … ({context})");
            }
        }

        Assert.Empty(OriginElements.Breaks(collector.ReadLines()));
    }

    private static async Task AssertNoGapsAsync(CollectorProcess collector, int files, IReadOnlyList<long> written)
    {
        var sources = await WaitForSourcesAsync(collector, s => s.Count == files && s.Sum(x => x.GetProperty("lines").GetInt64()) == written.Sum());
        Assert.All(sources, s => Assert.Equal(0, s.GetProperty("gaps").GetProperty("count").GetInt64()));
        Assert.All(sources, s => Assert.Equal(0, s.GetProperty("first").GetInt64()));
        Assert.All(sources, s => Assert.Equal(ForwarderProcess.Node, s.GetProperty("node").GetString()));
    }

    private static async Task<JsonElement> WaitForSourceAsync(CollectorProcess collector, Func<JsonElement, bool> condition) =>
        (await WaitForSourcesAsync(collector, s => s.Count == 1 && condition(s[0])))[0];

    /// <summary>
    /// /api/v1/sources until the condition holds (the Collector reads its file back a few times a second).
    /// </summary>
    private static async Task<List<JsonElement>> WaitForSourcesAsync(CollectorProcess collector, Func<List<JsonElement>, bool> condition)
    {
        long deadline = Environment.TickCount64 + 30_000;
        string last = "";
        while (Environment.TickCount64 < deadline)
        {
            last = await GetAsync(collector, "/api/v1/sources");
            using var json = JsonDocument.Parse(last);
            var sources = json.RootElement.GetProperty("data").GetProperty("sources").EnumerateArray().Select(s => s.Clone()).ToList();
            if (condition(sources))
            {
                return sources;
            }

            await Task.Delay(100);
        }

        throw new XunitException($"/api/v1/sources never matched; last answer: {last}");
    }

    private static async Task<string> GetAsync(CollectorProcess collector, string path)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return Encoding.UTF8.GetString(await http.GetByteArrayAsync(new Uri(collector.Http, path)));
    }
}
