using Forwarder.Multiline;
using Forwarder.Parsing;
using Microsoft.Extensions.Time.Testing;

namespace Forwarder.Tests.Multiline;

public sealed class MultilineJoinerTests
{
    private static readonly string[] JavaTrace =
    [
        "2026-12-06 09:00:00.123 ERROR [http-nio-8080-exec-1] c.s.CheckoutController - Checkout failed",
        "java.lang.IllegalStateException: cart 42 is empty",
        "\tat com.shop.Cart.checkout(Cart.java:118)",
        "\tat com.shop.CheckoutController.post(CheckoutController.java:57) ~[shop.jar:1.4.2]",
        "Caused by: java.util.NoSuchElementException: no item",
        "\tat java.base/java.util.ArrayList.getFirst(ArrayList.java:439)",
        "\t... 2 more",
    ];

    [Fact]
    public void AJavaTraceAndTheMessageBeforeItAreOneEvent()
    {
        var joined = JoinedEvents.Auto().Feed(JavaTrace).Feed("2026-12-06 09:00:01.000 INFO next request").FlushAll();

        Assert.Equal([string.Join('\n', JavaTrace), "2026-12-06 09:00:01.000 INFO next request"], joined.Texts);
    }

    [Fact]
    public void StdoutAndStderrLinesAreJoinedEachWithTheirOwnStream()
    {
        var joined = JoinedEvents.Auto()
            .Feed(LogStream.Stderr, "Traceback (most recent call last):")
            .Feed(LogStream.Stdout, "GET /a 200")
            .Feed(LogStream.Stderr, "  File \"/app/x.py\", line 3, in <module>", "    main()")
            .Feed(LogStream.Stdout, "GET /b 200")
            .Feed(LogStream.Stderr, "ZeroDivisionError: division by zero")
            .Feed(LogStream.Stdout, "GET /c 200")
            .FlushAll();

        Assert.Equal(
            [
                ("GET /a 200", LogStream.Stdout),
                ("GET /b 200", LogStream.Stdout),
                (
                    "Traceback (most recent call last):\n  File \"/app/x.py\", line 3, in <module>\n    main()\n"
                        + "ZeroDivisionError: division by zero",
                    LogStream.Stderr),
                ("GET /c 200", LogStream.Stdout),
            ],
            joined.Events.Select(e => (e.Text, e.Stream)));
    }

    [Fact]
    public void ALineNamingAnExceptionWithoutFramesAfterItStaysALineOfItsOwn()
    {
        var joined = JoinedEvents.Auto()
            .Feed("WARN retrying", "java.net.ConnectException: Connection refused", "INFO connected")
            .FlushAll();

        Assert.Equal(["WARN retrying", "java.net.ConnectException: Connection refused", "INFO connected"], joined.Texts);
    }

    [Fact]
    public void EachEventEndsAfterItsOwnLastLineAndStartsAtItsFirst()
    {
        var joined = JoinedEvents.Auto()
            .Feed("first", "panic: boom", "", "goroutine 1 [running]:", "last")
            .FlushAll();

        Assert.Equal(
            [(0L, joined.Ends[0]), (joined.Ends[0], joined.Ends[3]), (joined.Ends[3], joined.Ends[4])],
            joined.Events.Select(e => (e.Offset, e.End)));
    }

    [Fact]
    public void ThePendingOffsetIsTheFirstLineOfTheOldestEventBeingJoined()
    {
        var joined = JoinedEvents.Auto();
        Assert.Null(joined.Joiner.PendingOffset);

        joined.Feed(LogStream.Stderr, "panic: boom").Feed(LogStream.Stdout, "a", "b").Feed(LogStream.Stderr, "", "goroutine 1 [running]:");

        Assert.Equal(["a"], joined.Texts);
        Assert.Equal(0, joined.Joiner.PendingOffset);
        joined.FlushAll();
        Assert.Null(joined.Joiner.PendingOffset);

        // "b" ends before the dump's last line: it goes first (events leave in the order of their ends).
        Assert.Equal(["a", "b", "panic: boom\n\ngoroutine 1 [running]:"], joined.Texts);
    }

    [Fact]
    public void TheFlushTimeoutSendsTheLastEventWithoutWaitingForANextLine()
    {
        var time = new FakeTimeProvider();
        var joined = new JoinedEvents(new PresetRule(MultilinePresets.All), flushTimeout: TimeSpan.FromSeconds(1), time: time);
        joined.Feed("java.lang.RuntimeException: boom", "\tat a.B.c(B.java:1)");

        time.Advance(TimeSpan.FromMilliseconds(999));
        joined.Joiner.FlushExpired(joined.Now, joined);
        Assert.Empty(joined.Events);
        Assert.Equal(joined.Now + 1, joined.Joiner.NextFlushAt);

        time.Advance(TimeSpan.FromMilliseconds(1));
        joined.Joiner.FlushExpired(joined.Now, joined);
        Assert.Equal(["java.lang.RuntimeException: boom\n\tat a.B.c(B.java:1)"], joined.Texts);
        Assert.Null(joined.Joiner.NextFlushAt);
    }

    [Fact]
    public void TheFlushTimeoutCountsFromTheEventsLastLine()
    {
        var time = new FakeTimeProvider();
        var joined = new JoinedEvents(new PresetRule(MultilinePresets.All), time: time);
        joined.Feed("java.lang.RuntimeException: boom");
        time.Advance(TimeSpan.FromMilliseconds(800));
        joined.Feed("\tat a.B.c(B.java:1)");
        time.Advance(TimeSpan.FromMilliseconds(800));

        joined.Joiner.FlushExpired(joined.Now, joined);

        Assert.Empty(joined.Events);
    }

    [Fact]
    public void AQuietStreamIsSentOnTimeWhileAnOlderEventOfTheOtherStreamKeepsGrowing()
    {
        var time = new FakeTimeProvider();
        var joined = new JoinedEvents(new PresetRule(MultilinePresets.All), time: time);
        joined.Feed(LogStream.Stdout, "panic: boom").Feed(LogStream.Stderr, "lonely");
        for (int i = 0; i < 5; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(300));
            joined.Feed(LogStream.Stdout, $"\t/app/main.go:{i} +0x1");
            joined.Joiner.FlushExpired(joined.Now, joined);
        }

        Assert.Equal(["lonely"], joined.Texts);
    }

    [Fact]
    public void HeldLinesThatTimeOutAreSentAsLinesOfTheirOwn()
    {
        var time = new FakeTimeProvider();
        var joined = new JoinedEvents(new PresetRule(MultilinePresets.All), time: time);
        joined.Feed("INFO before", "java.lang.IllegalStateException: x");
        time.Advance(TimeSpan.FromSeconds(1));

        joined.Joiner.FlushExpired(joined.Now, joined);

        Assert.Equal(["INFO before", "java.lang.IllegalStateException: x"], joined.Texts);
        Assert.Null(joined.Joiner.PendingOffset);
    }

    [Fact]
    public void AnEventOfMoreLinesThanTheLimitIsSentInParts()
    {
        var joined = new JoinedEvents(new PresetRule(MultilinePresets.All), maxLines: 3)
            .Feed("java.lang.RuntimeException: boom", "\tat a.B.c(B.java:1)", "\tat a.B.d(B.java:2)", "\tat a.B.e(B.java:3)")
            .FlushAll();

        Assert.Equal(["java.lang.RuntimeException: boom\n\tat a.B.c(B.java:1)\n\tat a.B.d(B.java:2)", "\tat a.B.e(B.java:3)"], joined.Texts);
    }

    [Fact]
    public void AnEventOverTheByteLimitIsCutAndCountsItsWholeLength()
    {
        string[] lines = ["java.lang.RuntimeException: boom", "\tat a.B.c(B.java:1)", "\tat a.B.d(B.java:2)"];
        var joined = new JoinedEvents(new PresetRule(MultilinePresets.All), maxBytes: 40).Feed(lines).FlushAll();

        var cut = Assert.Single(joined.Events);
        Assert.Equal(string.Join('\n', lines)[..40], cut.Text);
        Assert.True(cut.Truncated);
        Assert.Equal(string.Join('\n', lines).Length, cut.OriginalLength);
    }

    [Fact]
    public void AStartExpressionJoinsEveryLineUntilTheNextMatch()
    {
        Assert.True(MultilineSpec.TryParse(@"start:^\d{4}-", out var spec, out _));
        var joined = new JoinedEvents(spec.CreateRule()!)
            .Feed("2026-01-01 one", "  detail", "more", "2026-01-01 two")
            .FlushAll();

        Assert.Equal(["2026-01-01 one\n  detail\nmore", "2026-01-01 two"], joined.Texts);
    }

    [Fact]
    public void AContinuationExpressionJoinsOnlyTheLinesItMatches()
    {
        Assert.True(MultilineSpec.TryParse(@"continuation:^\s", out var spec, out _));
        var joined = new JoinedEvents(spec.CreateRule()!)
            .Feed("one", "  detail", "two", "three", "\tx")
            .FlushAll();

        Assert.Equal(["one\n  detail", "two", "three\n\tx"], joined.Texts);
    }

    [Fact]
    public void AMalformedEntryIsSentAsItIsAfterTheEventsThatEndBeforeIt()
    {
        var joined = JoinedEvents.Auto().Feed("a");
        joined.Joiner.Add(new LogEntry { Content = "{broken"u8, OriginalLength = 7, Malformed = true, Offset = 2 }, 10, 0, joined);
        Assert.Empty(joined.Events);
        Assert.Equal(0, joined.Joiner.PendingOffset);

        joined.FlushAll();

        Assert.Equal([("a", 2L), ("{broken", 10L)], joined.Events.Select(e => (e.Text, e.End)));
    }

    [Fact]
    public void ResetForgetsWhatWasBeingJoined()
    {
        var joined = JoinedEvents.Auto().Feed("a", "b");
        joined.Joiner.Reset();

        Assert.Null(joined.Joiner.PendingOffset);
        Assert.Equal(["a"], joined.FlushAll().Texts);
    }
}
