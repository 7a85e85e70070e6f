using TestSupport;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace EndToEnd.Tests;

/// <summary>
/// A Collector stopped with its disk full (a real tmpfs, filled by another file), a real Forwarder sending over
/// <c>relp://</c>: what the Collector could not write it never acknowledged, so the Forwarder sends it again to the
/// next Collector, and every line ends up stored exactly once, in order.
/// </summary>
public sealed class FullDiskTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string> ShortShutdown = new() { ["shutdownTimeoutSeconds"] = "3" };

    [SmallFilesystemFact]
    public async Task ACollectorStoppedWithItsDiskFullLosesNothingTheRelpForwarderSent()
    {
        using var dir = TempDirectory.Create();
        using var fs = SmallFilesystem.Mount(8);
        var (second, written) = await StopWithTheDiskFullAndRestartAsync(dir, fs, "relp", "--relp");
        await using (second)
        {
            AssertExactlyOnceInOrder(second, written);
        }
    }

    /// <summary>
    /// The same over <c>tcp://</c>, which has no acknowledgement: what the Collector had read but not written is lost,
    /// as docs/delivery-guarantees.md says, and the origins show the hole as a gap. Nothing is stored twice.
    /// </summary>
    [SmallFilesystemFact]
    public async Task OverTcpWhatTheCollectorQueuedIsLostAndShowsAsAGap()
    {
        using var dir = TempDirectory.Create();
        using var fs = SmallFilesystem.Mount(8);
        var (second, written) = await StopWithTheDiskFullAndRestartAsync(dir, fs, "tcp", "--tcp");
        await using (second)
        {
            var keys = Keys(second);
            Assert.Equal(keys.Count, keys.Distinct().Count());
            int lost = (int)written.Sum() - keys.Count;
            output.WriteLine($"{lost} of {written.Sum()} lines lost over tcp://");
            Assert.True(lost > 0, "nothing was lost over tcp://: the Collector had nothing queued when it stopped, and the test proved nothing");
            for (int f = 0; f < written.Length; f++)
            {
                // Per file: in order, and what is missing is one run in the middle (the queue), not the end.
                var numbers = keys.Where(k => k.File == f).Select(k => k.N).ToList();
                Assert.Equal(numbers.Order(), numbers);
                Assert.Equal(written[f] - 1, numbers[^1]);
            }

            string sources = await new HttpClient().GetStringAsync(new Uri(second.Http, "api/v1/sources"));
            using var json = System.Text.Json.JsonDocument.Parse(sources);
            long gaps = json.RootElement.GetProperty("data").GetProperty("totals").GetProperty("gaps").GetInt64();
            Assert.True(gaps >= 1, $"the lost lines show as no gap: {sources}");
        }
    }

    /// <summary>
    /// A Collector on a full disk with a Forwarder sending to it over <paramref name="scheme"/>, stopped with SIGTERM
    /// while the disk is still full (shutdown timeout 3 s), then space freed, a new Collector on the same port and
    /// file, and 100 more lines per file: returns the new Collector once the file is quiet.
    /// </summary>
    private async Task<(CollectorProcess Second, long[] Written)> StopWithTheDiskFullAndRestartAsync(
        TempDirectory dir, SmallFilesystem fs, string scheme, string listener)
    {
        var tree = new NodeLogTree(dir);
        var logs = new[]
        {
            tree.AddContainer("jobs", "worker-0", "main", RuntimeFormat.Docker),
            tree.AddContainer("jobs", "worker-1", "main", RuntimeFormat.Cri),
        };
        var written = new long[logs.Length];
        string file = fs.Combine("messages");

        // The same port for both Collectors: the Forwarder has one target and reconnects to it.
        int port = PortReservations.Reserve();
        PortReservations.Release(port);
        string[] args = [listener, $"127.0.0.1:{port}", "--min-free", "0"];
        var first = await CollectorProcess.StartWithEnvironmentAsync(file, ShortShutdown, args);
        await using var forwarder = await ForwarderProcess.StartAsync(
            tree.ContainersGlob, [$"{scheme}://127.0.0.1:{port}"], dir.Combine("state"), "--max-retry-delay", "500ms");
        try
        {
            Append(logs, written, 200);
            await Wait.UntilAsync(() => first.ReadLines().Length >= 400, "the first 400 lines stored", TimeSpan.FromSeconds(60));

            // Room for a few dozen of the next 3000 lines.
            fs.FillLeaving(16 * 1024);
            Append(logs, written, 1500);
            await WaitForDiskFullAsync(first);
            await Wait.UntilQuietAsync(
                () => first.ReadLines().Length,
                TimeSpan.FromSeconds(1),
                "the messages file to stop growing",
                TimeSpan.FromSeconds(30));

            await first.TerminateAsync();
            int stored = first.ReadLines().Length;
            output.WriteLine($"{scheme}: {stored} of {written.Sum()} lines stored when the Collector stopped with its disk full");
            Assert.Contains("Shutdown timed out with", first.Output, StringComparison.Ordinal);
            Assert.Contains("RELP senders got no acknowledgement for them", first.Output, StringComparison.Ordinal);
            Assert.InRange(stored, 400, (int)written.Sum() - 1);
        }
        finally
        {
            await first.DisposeAsync();
        }

        fs.FreeFiller();
        var second = await CollectorProcess.StartAsync(file, args);
        try
        {
            Append(logs, written, 100);
            if (scheme == "relp")
            {
                await WaitUntilStoredAsync(second, written, $"Forwarder said:\n{forwarder.Output}\nCollector said:\n{second.Output}");
            }
            else
            {
                // Some lines never come: wait for the last line of each file, then a quiet second.
                await Wait.UntilAsync(
                    () => Enumerable.Range(0, logs.Length).All(f => Keys(second).Contains((f, written[f] - 1))),
                    "the last line of each file stored",
                    TimeSpan.FromSeconds(120));
                await Wait.UntilQuietAsync(
                    () => second.ReadLines().Length,
                    TimeSpan.FromSeconds(1),
                    "a quiet second in the messages file",
                    TimeSpan.FromSeconds(30));
            }
        }
        catch
        {
            await second.DisposeAsync();
            throw;
        }

        return (second, written);
    }

    private static void Append(ContainerLog[] logs, long[] written, int count)
    {
        for (int f = 0; f < logs.Length; f++)
        {
            logs[f].AppendMany(Enumerable.Range(0, count).Select(i => SequencedWriter.Text(f, written[f] + i)));
            written[f] += count;
        }
    }

    private static async Task WaitForDiskFullAsync(CollectorProcess collector)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        long deadline = Environment.TickCount64 + 60_000;
        string last = "";
        while (Environment.TickCount64 < deadline)
        {
            using var response = await http.GetAsync(new Uri(collector.Http, "readyz"));
            last = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable && last.Contains("disk full", StringComparison.Ordinal))
            {
                string metrics = await http.GetStringAsync(new Uri(collector.Http, "metrics"));
                Assert.Equal(1, Metrics.Sum(metrics, "kubesyslog_collector_storage_disk_full"));
                return;
            }

            await Task.Delay(100);
        }

        throw new XunitException($"/readyz never said the disk is full; last answer: {last}");
    }

    private static async Task WaitUntilStoredAsync(CollectorProcess collector, IReadOnlyList<long> written, string context)
    {
        long total = written.Sum();
        try
        {
            await Wait.UntilAsync(() => Keys(collector).Distinct().Count() >= total, $"all {total} lines stored", TimeSpan.FromSeconds(120));
        }
        catch (XunitException e)
        {
            throw new XunitException($"{e.Message} (have {Keys(collector).Distinct().Count()})\n{context}");
        }

        await Wait.UntilQuietAsync(
            () => collector.ReadLines().Length,
            TimeSpan.FromSeconds(1),
            "a quiet second in the messages file",
            TimeSpan.FromSeconds(30));
    }

    /// <summary>MSG of a stored line (either layout of the file format).</summary>
    private static string Message(string line) => StoredMessage.Of(line);

    private static List<(int File, long N)> Keys(CollectorProcess collector) =>
        [.. collector.ReadLines().Select(l => SequencedWriter.Parse(Message(l)) ?? throw new InvalidDataException($"not a sequenced line: {l}"))];

    private static void AssertExactlyOnceInOrder(CollectorProcess collector, IReadOnlyList<long> written) =>
        Delivery.AssertExactlyOnceInOrder(written, Keys(collector));
}
