using Forwarder.Multiline;
using Forwarder.Parsing;
using Xunit.Sdk;

namespace Forwarder.Tests.Multiline;

/// <summary>
/// Events leave the joiner in the order of their ends, whatever the streams, so each message's origin range (from the
/// previous message's end to its own) is never empty or backwards, and a checkpoint never passes a line not sent.
/// </summary>
public sealed class MultilineJoinerOrderTests
{
    private static readonly string[][] Blocks =
    [
        ["java.lang.IllegalStateException: cart is empty", "\tat com.shop.Cart.checkout(Cart.java:118)", "\tat com.shop.Main.main(Main.java:9)"],
        ["INFO request done"],
        ["Traceback (most recent call last):", "  File \"/app/x.py\", line 3, in <module>", "    main()", "ZeroDivisionError: division by zero"],
        ["panic: boom", "", "goroutine 1 [running]:", "main.main()", "\t/app/main.go:5 +0x1d"],
        ["WARN retrying", "java.net.ConnectException: Connection refused"],
        ["{\"level\":\"info\",\"msg\":\"ok\"}"],
    ];

    [Fact]
    public void AnEventThatEndsFirstIsSentFirstWhateverItsStream()
    {
        var joined = JoinedEvents.Auto()
            .Feed(LogStream.Stderr, "java.lang.IllegalStateException: boom")
            .Feed(LogStream.Stdout, "GET /a 200", "GET /b 200");

        // "GET /a" is complete, but the exception before it may still be all its event: it waits.
        Assert.Empty(joined.Events);

        joined.Feed(LogStream.Stderr, "INFO next").FlushAll();

        Assert.Equal(
            [
                ("java.lang.IllegalStateException: boom", joined.Ends[0]),
                ("GET /a 200", joined.Ends[1]),
                ("GET /b 200", joined.Ends[2]),
                ("INFO next", joined.Ends[3]),
            ],
            joined.Events.Select(e => (e.Text, e.End)));
    }

    [Fact]
    public void AWaitingEventGoesAsSoonAsTheOpenEventOfTheOtherStreamGrowsPastIt()
    {
        var joined = JoinedEvents.Auto()
            .Feed(LogStream.Stderr, "java.lang.IllegalStateException: boom")
            .Feed(LogStream.Stdout, "GET /a 200", "GET /b 200")
            .Feed(LogStream.Stderr, "\tat com.shop.Cart.checkout(Cart.java:118)");

        Assert.Equal(["GET /a 200"], joined.Texts);
        Assert.Equal(0, joined.Joiner.PendingOffset);
    }

    [Fact]
    public void AnEventWaitingToBeSentKeepsTheCheckpointAtItsFirstLine()
    {
        var joined = JoinedEvents.Auto()
            .Feed(LogStream.Stdout, "java.lang.IllegalStateException: boom")
            .Feed(LogStream.Stderr, "error one")
            .Feed(LogStream.Stdout, "\tat com.shop.Cart.checkout(Cart.java:118)", "INFO next");

        // The stdout trace is complete but "error one" may end before it; the trace's lines must be read again after a
        // restart, so the checkpoint stays at its first line, not at "error one".
        Assert.Empty(joined.Events);
        Assert.Equal(0, joined.Joiner.PendingOffset);

        joined.Feed(LogStream.Stderr, "error two");

        Assert.Equal(["error one", "java.lang.IllegalStateException: boom\n\tat com.shop.Cart.checkout(Cart.java:118)"], joined.Texts);
        Assert.Equal(joined.Ends[2], joined.Joiner.PendingOffset);
    }

    [Fact]
    public void WhenMoreEventsWaitThanAnEventMayHaveLinesTheEventTheyWaitForIsSentAsItIs()
    {
        var joined = new JoinedEvents(new PresetRule(MultilinePresets.All), maxLines: 3)
            .Feed(LogStream.Stderr, "java.lang.IllegalStateException: boom")
            .Feed(LogStream.Stdout, "l0", "l1", "l2", "l3");
        Assert.Empty(joined.Events);

        joined.Feed(LogStream.Stdout, "l4");

        Assert.Equal(["java.lang.IllegalStateException: boom", "l0", "l1", "l2", "l3"], joined.Texts);
        joined.Feed(LogStream.Stderr, "\tat com.shop.Cart.checkout(Cart.java:118)").FlushAll();
        Assert.Equal(["l4", "\tat com.shop.Cart.checkout(Cart.java:118)"], joined.Texts.Skip(5));
        Assert.Equal(joined.Events.Select(e => e.End).Order(), joined.Events.Select(e => e.End));
    }

    /// <summary>
    /// Two streams of traces, dumps, held lines and single lines, interleaved at random: each stream gives the events
    /// it gives alone, every event ends after the one before it, and no event sent after a moment starts before the
    /// checkpoint of that moment (<see cref="MultilineJoiner.PendingOffset"/>, or everything read when none).
    /// </summary>
    [Fact]
    public void InterleavedStreamsGiveEachStreamsOwnEventsInTheOrderOfTheirEnds()
    {
        for (int seed = 0; seed < 300; seed++)
        {
            var random = new Random(seed);
            var stdout = Lines(random);
            var stderr = Lines(random);
            var joined = JoinedEvents.Auto();
            var checkpoints = new List<(int Sent, long Checkpoint)>();
            int o = 0, e = 0;
            while (o < stdout.Count || e < stderr.Count)
            {
                bool takeOut = e == stderr.Count || (o < stdout.Count && random.Next(2) == 0);
                joined.Feed(takeOut ? LogStream.Stdout : LogStream.Stderr, takeOut ? stdout[o++] : stderr[e++]);
                checkpoints.Add((joined.Events.Count, joined.Joiner.PendingOffset ?? joined.Ends[^1]));
            }

            joined.FlushAll();
            var events = joined.Events;
            Check(seed, events.Where(x => x.Stream == LogStream.Stdout).Select(x => x.Text), Alone(stdout));
            Check(seed, events.Where(x => x.Stream == LogStream.Stderr).Select(x => x.Text), Alone(stderr));
            for (int i = 1; i < events.Count; i++)
            {
                Assert.True(events[i].End > events[i - 1].End, $"seed {seed}: event {i} ends at {events[i].End}, not after {events[i - 1].End}");
            }

            foreach (var (sent, checkpoint) in checkpoints)
            {
                Assert.True(
                    events.Skip(sent).All(x => x.Offset >= checkpoint),
                    $"seed {seed}: a checkpoint at {checkpoint} passed the first line of an event sent later");
            }
        }
    }

    private static List<string> Lines(Random random) =>
        [.. Enumerable.Range(0, random.Next(1, 12)).SelectMany(_ => Blocks[random.Next(Blocks.Length)])];

    private static List<string> Alone(List<string> lines) => [.. JoinedEvents.Auto().Feed([.. lines]).FlushAll().Texts];

    private static void Check(int seed, IEnumerable<string> actual, List<string> expected)
    {
        var list = actual.ToList();
        if (!list.SequenceEqual(expected))
        {
            throw new XunitException($"seed {seed}: expected [{string.Join(" | ", expected)}] but got [{string.Join(" | ", list)}]");
        }
    }
}
