using System.Text.Json;
using TestSupport;
using Answer = TestSupport.LoopbackRelpReceiver.Answer;

namespace Forwarder.Tests.Shipping;

/// <summary>
/// The whole Forwarder shipping over <c>relp://</c> to a RELP receiver whose answers the test controls.
/// </summary>
public sealed class RelpShippingTests
{
    private static string TextOf(string message) => message[(message.LastIndexOf("] ", StringComparison.Ordinal) + 2)..];

    private static List<string> Texts(IEnumerable<string> messages) => messages.Select(TextOf).ToList();

    private static List<string> Lines(int from, int count) => Enumerable.Range(from, count).Select(i => $"line {i}").ToList();

    private static long CheckpointOf(string state, string path)
    {
        string file = Path.Combine(state, "checkpoints.json");
        if (!File.Exists(file))
        {
            return 0;
        }

        using var json = JsonDocument.Parse(File.ReadAllBytes(file));
        return json.RootElement.GetProperty("files").EnumerateArray()
            .Where(f => f.GetProperty("path").GetString() == path)
            .Select(f => f.GetProperty("offset").GetInt64())
            .SingleOrDefault();
    }

    /// <summary>Checks the saved offset over several checkpoint intervals: it must stay where it is.</summary>
    private static async Task AssertCheckpointStaysAsync(string state, string path, long expected)
    {
        var until = Environment.TickCount64 + 1500;
        while (Environment.TickCount64 < until)
        {
            Assert.Equal(expected, CheckpointOf(state, path));
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task TheCheckpointMovesOnlyAsFarAsTheReceiverAcknowledgedAndOnlyTheUnacknowledgedAreSentAgain()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("shop", "web-0", "app", RuntimeFormat.Cri);
        var receiver = LoopbackRelpReceiver.Start();
        int port = receiver.Port;
        await using var forwarder = await RunningForwarder.StartAsync(
            dir, tree.ContainersGlob, [$"relp://127.0.0.1:{port}"], "--max-retry-delay", "200ms");
        try
        {
            log.AppendMany(Lines(0, 20));
            await Wait.UntilAsync(() => receiver.Acknowledged.Count == 20, "20 acknowledged lines");
            long acknowledgedEnd = new FileInfo(log.RealPath).Length;
            await Wait.UntilAsync(
                () => CheckpointOf(forwarder.State, log.LinkPath) == acknowledgedEnd,
                "the checkpoint at the end of the acknowledged lines");

            // Received but never answered: the checkpoint must not move past line 19.
            receiver.Rule = (_, _) => Answer.Silent;
            log.AppendMany(Lines(20, 20));
            await Wait.UntilAsync(() => receiver.Received.Count == 40, "the next 20 lines, unanswered");
            await AssertCheckpointStaysAsync(forwarder.State, log.LinkPath, acknowledgedEnd);
            Assert.Equal(Lines(0, 40), Texts(receiver.Received));
            Assert.Equal(Lines(0, 20), Texts(receiver.Acknowledged));
        }
        finally
        {
            await receiver.DisposeAsync();
        }

        // A receiver that answers, on the same port: only lines 20-39 come again, then the checkpoint reaches the end.
        await using var again = LoopbackRelpReceiver.Start(port);
        await Wait.UntilAsync(() => again.Acknowledged.Count == 20, "the unacknowledged lines sent again", TimeSpan.FromSeconds(30));
        long end = new FileInfo(log.RealPath).Length;
        await Wait.UntilAsync(() => CheckpointOf(forwarder.State, log.LinkPath) == end, "the checkpoint at the end of the file");
        log.Append("sentinel");
        await Wait.UntilAsync(() => again.Acknowledged.Count == 21, "the sentinel");
        Assert.Equal([.. Lines(20, 20), "sentinel"], Texts(again.Received));
    }

    /// <summary>Where the line holding <paramref name="text"/> starts in the file.</summary>
    private static long StartOf(string path, string text)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int at = bytes.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(" " + text + "\n"));
        Assert.True(at >= 0, $"{text} is in {path}");
        return bytes.AsSpan(0, at).LastIndexOf((byte)'\n') + 1;
    }

    [Fact]
    public async Task LaterBatchesGoOutWhileAMiddleLineIsUnansweredAndTheCheckpointStaysBeforeIt()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("shop", "web-0", "app", RuntimeFormat.Cri);
        var receiver = LoopbackRelpReceiver.Start();
        receiver.Rule = (m, _) => TextOf(m) == "line 25" ? Answer.Silent : Answer.Ok;
        int port = receiver.Port;
        await using var forwarder = await RunningForwarder.StartAsync(
            dir, tree.ContainersGlob, [$"relp://127.0.0.1:{port}"], "--max-retry-delay", "200ms");
        try
        {
            // Three appends, each read once the previous one is at the receiver: line 25 is in a later batch than 0-19.
            for (int from = 0; from < 60; from += 20)
            {
                log.AppendMany(Lines(from, 20));
                await Wait.UntilAsync(() => receiver.Received.Count == from + 20, $"lines {from}-{from + 19} at the receiver");
            }

            // Lines 40-59 went out while line 25 waited for its answer; every line but 25 is acknowledged.
            await Wait.UntilAsync(() => receiver.Acknowledged.Count == 59, "59 acknowledged lines");
            long start20 = StartOf(log.RealPath, "line 20");
            long start25 = StartOf(log.RealPath, "line 25");
            await Wait.UntilAsync(() => CheckpointOf(forwarder.State, log.LinkPath) >= start20, "the checkpoint past lines 0-19");
            var until = Environment.TickCount64 + 1500;
            while (Environment.TickCount64 < until)
            {
                long checkpoint = CheckpointOf(forwarder.State, log.LinkPath);
                Assert.True(checkpoint <= start25, $"checkpoint {checkpoint} is past the start of the unanswered line 25 ({start25})");
                await Task.Delay(100);
            }

            Assert.Equal(Lines(0, 60), Texts(receiver.Received));
            Assert.Equal(Lines(0, 60).Where(l => l != "line 25"), Texts(receiver.Acknowledged));
        }
        finally
        {
            await receiver.DisposeAsync();
        }

        // The session breaks; on the next one only line 25 is sent again, then the checkpoint reaches the end.
        await using var again = LoopbackRelpReceiver.Start(port);
        await Wait.UntilAsync(() => again.Acknowledged.Count == 1, "line 25 sent again", TimeSpan.FromSeconds(30));
        long end = new FileInfo(log.RealPath).Length;
        await Wait.UntilAsync(() => CheckpointOf(forwarder.State, log.LinkPath) == end, "the checkpoint at the end of the file");
        log.Append("sentinel");
        await Wait.UntilAsync(() => again.Acknowledged.Count == 2, "the sentinel");
        await Wait.UntilQuietAsync(() => again.Received.Count, TimeSpan.FromMilliseconds(500), "the second receiver");
        Assert.Equal(["line 25", "sentinel"], Texts(again.Received));
    }

    [Fact]
    public async Task AReceiverThatNeverAnswersGetsOneWindowAndTheCheckpointStaysAtTheStart()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("shop", "web-0", "app", RuntimeFormat.Docker);
        await using var receiver = LoopbackRelpReceiver.Start();
        receiver.Rule = (_, _) => Answer.Silent;
        await using var forwarder = await RunningForwarder.StartAsync(
            dir, tree.ContainersGlob, [$"relp://127.0.0.1:{receiver.Port}"], "--relp-window", "16");

        log.AppendMany(Lines(0, 5000));
        await Wait.UntilAsync(() => receiver.Received.Count == 16, "one window of lines");
        await AssertCheckpointStaysAsync(forwarder.State, log.LinkPath, 0);

        // Nothing beyond the window was sent: the rest waits in the (bounded) shipping queue and in the file.
        Assert.Equal(Lines(0, 16), Texts(receiver.Received));
        Assert.Empty(receiver.Acknowledged);
    }

    [Fact]
    public async Task ALineTheReceiverRefusesIsCountedNotSentAgainAndTheOthersAreCheckpointed()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("shop", "web-0", "app", RuntimeFormat.Cri);
        await using var receiver = LoopbackRelpReceiver.Start();
        receiver.Rule = (m, _) => TextOf(m) == "line 7" ? Answer.Refuse : Answer.Ok;
        await using var forwarder = await RunningForwarder.StartAsync(dir, tree.ContainersGlob, [$"relp://127.0.0.1:{receiver.Port}"]);

        log.AppendMany(Lines(0, 20));
        log.Append("sentinel");
        await Wait.UntilAsync(() => receiver.Acknowledged.Count == 20, "every line but the refused one");
        long end = new FileInfo(log.RealPath).Length;
        await Wait.UntilAsync(() => CheckpointOf(forwarder.State, log.LinkPath) == end, "the checkpoint at the end of the file");

        Assert.Equal([.. Lines(0, 20), "sentinel"], Texts(receiver.Received));
        Assert.Equal([.. Lines(0, 20).Where(l => l != "line 7"), "sentinel"], Texts(receiver.Acknowledged));
        string metrics = await forwarder.MetricsAsync();
        Assert.Contains($"kubesyslog_forwarder_target_refused_total{{target=\"relp://127.0.0.1:{receiver.Port}\"}} 1", metrics);
    }
}
