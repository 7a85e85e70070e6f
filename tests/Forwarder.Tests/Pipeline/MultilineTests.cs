using TestSupport;
using static Forwarder.Tests.Pipeline.RotationTests;

namespace Forwarder.Tests.Pipeline;

/// <summary>
/// Multiline events through the real tailing loop: joined per stream, sent without a next line, rebuilt whole after a
/// restart in their middle, and never lost across a rotation.
/// </summary>
public sealed class MultilineTests
{
    private static readonly string[] Trace =
    [
        "Exception in thread \"main\" java.lang.IllegalStateException: cart is empty",
        "\tat com.shop.Cart.checkout(Cart.java:118)",
        "\tat com.shop.Main.main(Main.java:9)",
        "Caused by: java.util.NoSuchElementException",
        "\tat java.base/java.util.ArrayList.getFirst(ArrayList.java:439)",
        "\t... 1 more",
    ];

    [Theory]
    [InlineData(RuntimeFormat.Cri)]
    [InlineData(RuntimeFormat.Docker)]
    public async Task TracesOnStdoutAndStderrAreJoinedEachOnItsOwnAndTheLastOneIsSentWithoutANextLine(RuntimeFormat format)
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("shop", "web-0", "app", format);
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await StartAsync(dir, tree, target.TcpPort, "--multiline", "auto", "--multiline-flush-timeout", "300ms");

        // One write, so the stderr trace cannot time out half read.
        var text = new System.Text.StringBuilder(log.Render("GET /a 200", 0, stderr: false));
        for (int i = 0; i < Trace.Length; i++)
        {
            text.Append(log.Render(Trace[i], (2 * i) + 1, stderr: true)).Append(log.Render($"GET /b{i} 200", (2 * i) + 2, stderr: false));
        }

        File.AppendAllText(log.RealPath, text.ToString());

        // Each stdout line is sent when the next one comes (the trace grew past it meanwhile); the last one and the
        // trace when the flush timeout passed, the trace first (it ends first).
        Assert.Equal(
            ["GET /a 200", .. Enumerable.Range(0, Trace.Length - 1).Select(i => $"GET /b{i} 200"), string.Join('\n', Trace), "GET /b5 200"],
            await TextsAsync(target, 8));
    }

    /// <summary>
    /// Traces and lines of both streams interleaved so that events complete out of the order of their ends: each
    /// message still accounts for the bytes from the previous message's end to its own (docs/sources.md), never an
    /// empty or backwards range, because events are sent in the order of their ends.
    /// </summary>
    [Theory]
    [InlineData(RuntimeFormat.Cri)]
    [InlineData(RuntimeFormat.Docker)]
    public async Task InterleavedEventsOfBothStreamsAccountForConsecutiveNonEmptyRanges(RuntimeFormat format)
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("shop", "web-0", "app", format);
        string[] python =
        [
            "Traceback (most recent call last):", "  File \"/app/worker.py\", line 12, in <module>", "    main()",
            "ZeroDivisionError: division by zero",
        ];
        (string Text, bool Stderr)[] lines =
        [
            (Trace[0], false), (python[0], true), (Trace[1], false), (python[1], true), (python[2], true), (Trace[2], false),
            ("GET /a 200", false), (python[3], true), ("worker exited", true), ("GET /b 200", false),
            ("java.lang.IllegalStateException: boom", true), ("GET /c 200", false), ("GET /d 200", false), ("INFO next", true),
        ];
        string[] rendered = [.. lines.Select((l, n) => log.Render(l.Text, n, l.Stderr))];
        long[] ends = new long[rendered.Length];
        for (int i = 0; i < rendered.Length; i++)
        {
            ends[i] = (i == 0 ? 0 : ends[i - 1]) + System.Text.Encoding.UTF8.GetByteCount(rendered[i]);
        }

        await using var target = SyslogTestListener.Start();
        await using var forwarder = await StartAsync(dir, tree, target.TcpPort, "--multiline", "auto", "--multiline-flush-timeout", "300ms");
        File.AppendAllText(log.RealPath, string.Concat(rendered));

        var messages = (await target.WaitForQuietAsync(9, TimeSpan.FromSeconds(30))).Select(f => ReceivedMessage.Parse(f.Payload)).ToList();

        // Which line each message ends with: the Java trace is complete at "GET /a" but waits until the Python trace
        // grew past it; the Python trace is complete at "worker exited" but waits for "GET /a", which may end before
        // it.
        int[] lastLines = [5, 6, 7, 8, 9, 10, 11, 12, 13];
        Assert.Equal(
            [string.Join('\n', Trace[..3]), "GET /a 200", string.Join('\n', python), "worker exited", "GET /b 200",
                "java.lang.IllegalStateException: boom", "GET /c 200", "GET /d 200", "INFO next"],
            messages.Select(m => m.Text));
        Assert.Equal(
            lastLines.Select((last, i) => $"{(i == 0 ? 0 : ends[lastLines[i - 1]])}-{ends[last]}"),
            messages.Select(m => m.Param("o@32473", "p")));
    }

    /// <summary>
    /// Every file is read into the loop's one buffer, and a line waiting for its next line points into it until the
    /// chunk is done: a line still waiting then is copied before another file's chunk overwrites the buffer.
    /// </summary>
    [Fact]
    public async Task ALineWaitingAtTheEndOfAChunkKeepsItsTextWhileAnotherFileIsReadIntoTheBuffer()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var web = tree.AddContainer("shop", "web-0", "app", RuntimeFormat.Cri);
        var cart = tree.AddContainer("shop", "cart-0", "app", RuntimeFormat.Cri);
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await StartAsync(dir, tree, target.TcpPort, "--multiline", "auto", "--multiline-flush-timeout", "10m");

        web.Append("ERROR Checkout failed");
        await Wait.UntilAsync(() => ReadToEnd(forwarder, web), "the web pod's first line read");
        string[] others = [.. Enumerable.Range(0, 40).Select(i => $"GET /cart/{i} 200 from another pod, long enough to cover the first line")];
        cart.AppendMany(others);
        await Wait.UntilAsync(() => ReadToEnd(forwarder, cart), "the cart pod's lines read");
        web.AppendMany(Trace[1..3]);
        web.Append("INFO next request");

        // The last line of each file waits for a next line (the flush timeout is long); all the others arrive.
        Assert.Equal([.. others[..^1], string.Join('\n', ["ERROR Checkout failed", .. Trace[1..3]])], await TextsAsync(target, 40));
    }

    private static bool ReadToEnd(RunningForwarder forwarder, ContainerLog log) =>
        forwarder.Tailing.Files.FirstOrDefault(f => f.File.RealPath == log.RealPath) is { } file
        && file.ReadOffset == new FileInfo(log.RealPath).Length;

    [Fact]
    public async Task AnEventPendingAtAStopIsReadAgainFromItsFirstLineAndSentWhole()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("shop", "web-0", "app", RuntimeFormat.Cri);
        await using var target = SyslogTestListener.Start();
        long traceStart;
        await using (var first = await StartAsync(dir, tree, target.TcpPort, "--multiline", "auto", "--multiline-flush-timeout", "10m"))
        {
            log.Append("before");
            traceStart = new FileInfo(log.RealPath).Length;
            log.AppendMany(Trace[..3]);
            await target.WaitForFramesAsync(1, TimeSpan.FromSeconds(30));

            // "before" is on the socket; the trace's first lines were read but wait for more: the checkpoint stays at
            // the trace's first line.
            await Wait.UntilAsync(
                () => first.Tailing.Files.Single().ReadOffset == new FileInfo(log.RealPath).Length
                    && first.Tailing.Files.Single().CommittedOffset == traceStart,
                "the checkpoint at the trace's first line");
        }

        log.AppendMany([.. Trace[3..], "after"]);
        await using var second = await StartAsync(dir, tree, target.TcpPort, "--multiline", "auto", "--multiline-flush-timeout", "300ms");

        Assert.Equal(["before", string.Join('\n', Trace), "after"], await TextsAsync(target, 3));
    }

    [Fact]
    public async Task ATraceSplitByARotationArrivesWholeInTwoEventsWithNothingLost()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("shop", "web-0", "app", RuntimeFormat.Cri);
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await StartAsync(
            dir, tree, target.TcpPort, "--multiline", "auto", "--multiline-flush-timeout", "300ms", "--rotate-wait", "500ms");

        log.AppendMany(["before", .. Trace[..3]]);
        log.RotateLikeKubelet("20261206-100000");
        log.AppendMany([.. Trace[3..], "after"]);

        Assert.Equal(["before", string.Join('\n', Trace[..3]), string.Join('\n', Trace[3..]), "after"], await TextsAsync(target, 4));
    }

    [Fact]
    public async Task WithMultilineOffEveryLineIsItsOwnMessage()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("shop", "web-0", "app", RuntimeFormat.Cri);
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await StartAsync(dir, tree, target.TcpPort, "--multiline", "off");

        log.AppendMany(Trace);

        Assert.Equal(Trace, await TextsAsync(target, Trace.Length));
    }

    [Fact]
    public async Task APodRuleTurnsJoiningOffForItsContainersOnly()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var web = tree.AddContainer("shop", "web-0", "app", RuntimeFormat.Cri);
        var cart = tree.AddContainer("shop", "cart-0", "app", RuntimeFormat.Cri);
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await StartAsync(
            dir, tree, target.TcpPort, "--multiline", "auto", "--multiline-rule", "shop/cart-*=off", "--multiline-flush-timeout", "300ms");

        web.AppendMany(Trace);
        await TextsAsync(target, 1);
        cart.AppendMany(Trace);

        Assert.Equal([string.Join('\n', Trace), .. Trace], await TextsAsync(target, 1 + Trace.Length));
    }
}
