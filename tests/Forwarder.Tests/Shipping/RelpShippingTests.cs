using System.Text.Json;
using TestSupport;
using Answer = TestSupport.LoopbackRelpReceiver.Answer;

namespace Forwarder.Tests.Shipping;

/// <summary>The whole Forwarder shipping over <c>relp://</c> to a RELP receiver whose answers the test controls.</summary>
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
        await using var forwarder = await RunningForwarder.StartAsync(dir, tree.ContainersGlob, [$"relp://127.0.0.1:{port}"], "--max-retry-delay", "200ms");
        try
        {
            log.AppendMany(Lines(0, 20));
            await Wait.UntilAsync(() => receiver.Acknowledged.Count == 20, "20 acknowledged lines");
            long acknowledgedEnd = new FileInfo(log.RealPath).Length;
            await Wait.UntilAsync(() => CheckpointOf(forwarder.State, log.LinkPath) == acknowledgedEnd, "the checkpoint at the end of the acknowledged lines");

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

    [Fact]
    public async Task AReceiverThatNeverAnswersGetsOneWindowAndTheCheckpointStaysAtTheStart()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("shop", "web-0", "app", RuntimeFormat.Docker);
        await using var receiver = LoopbackRelpReceiver.Start();
        receiver.Rule = (_, _) => Answer.Silent;
        await using var forwarder = await RunningForwarder.StartAsync(dir, tree.ContainersGlob, [$"relp://127.0.0.1:{receiver.Port}"], "--relp-window", "16");

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
