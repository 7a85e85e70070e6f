using System.Globalization;
using System.Text;
using TestSupport;

namespace Collector.Tests.Process;

/// <summary>
/// <c>Collector query</c> and <c>Collector tail</c> as processes (the test binary's Collector executable) reading the
/// files a real Collector writes, in both layouts of the file format.
/// </summary>
public sealed class LocalCommandTests
{
    // Declared before Now: static fields are initialised in this order.
    private static readonly DateTimeOffset StartedAt = TimeProvider.System.GetUtcNow();
    private static readonly string Now = Time(TimeSpan.Zero);

    [Fact]
    public async Task QueryPrintsTheMatchingLinesOfTheRangeMessageFirstAndPlainWhenPiped()
    {
        using var dir = TempDirectory.Create();
        string file = dir.Combine("messages");
        string old = Time(TimeSpan.FromMinutes(-20));

        // A line stored before message-first lines, then a Collector appending to the same file.
        File.WriteAllText(
            file,
            $"{old} node-0 web: user.err stderr [k8s@32473 namespace=\"shop\" pod=\"web-old\" container=\"web\"] error in old layout\n");
        await using var collector = await RunningCollector.StartAsync(file, token: null);
        await SendAsync(
            collector,
            Frame(TimeSpan.FromHours(-2), "shop", "web-1", "stderr", "error too old for --since 1h"),
            Frame(TimeSpan.FromMinutes(-10), "shop", "web-1", "stderr", "error one"),
            Frame(TimeSpan.FromMinutes(-9), "other", "web-1", "stderr", "error of another namespace"),
            Frame(TimeSpan.FromMinutes(-8), "shop", "web-1", "stdout", "no match here"),
            Frame(TimeSpan.FromMinutes(-7), "shop", "cart-2", "stdout", "error two\n  at Cart.Pay()\tline 7 \u001b[31m #012"),
            Frame(TimeSpan.FromMinutes(-6), "shop", "web-1", "stdout", "sentinel"));
        await collector.WaitForLinesAsync(7);

        var result = await ProcessRunner.RunAsync(
            CollectorProcess.Executable, ["query", "{namespace=\"shop\"} |= \"error\"", "--since", "1h", "--file", file]);

        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Equal(string.Empty, result.StandardError);
        Assert.Equal(
            $"{old} node-0 shop/web-old/web err: error in old layout\n" +
            $"{Time(TimeSpan.FromMinutes(-10))} node-1 shop/web-1/web stderr: error one\n" +
            $"{Time(TimeSpan.FromMinutes(-7))} node-1 shop/cart-2/web stdout: error two\n  at Cart.Pay()\tline 7 #033[31m #012\n",
            result.StandardOutput);

        // --limit keeps the newest and says so; --color always colours even when piped.
        var limited = await ProcessRunner.RunAsync(
            CollectorProcess.Executable,
            ["query", "{namespace=\"shop\"} |= \"error\"", "--since", "1h", "--file", file, "--limit", "1", "--color", "always"]);
        Assert.Equal(0, limited.ExitCode);
        Assert.Equal(
            $"\u001b[2m{Time(TimeSpan.FromMinutes(-7))}\u001b[0m node-1 \u001b[36mshop/cart-2/web\u001b[0m stdout: error two\n" +
            "  at Cart.Pay()\tline 7 #033[31m #012\n",
            limited.StandardOutput);
        Assert.Contains("--limit", limited.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{namespace=\"shop\"", "bad query")]
    [InlineData("{}", "no messages file")]
    public async Task ABadQueryOrAMissingFileIsAClearErrorWithExitCode1(string query, string expected)
    {
        using var dir = TempDirectory.Create();
        string file = dir.Combine("messages");
        if (expected == "bad query")
        {
            File.WriteAllText(file, string.Empty);
        }

        var result = await ProcessRunner.RunAsync(CollectorProcess.Executable, ["query", query, "--file", file]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(expected, result.StandardError, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.StandardOutput);
    }

    /// <summary>
    /// The last lines, then every new matching line in order through two rotations of the file, ending on a
    /// sentinel; SIGTERM ends it with exit code 0.
    /// </summary>
    [Fact]
    public async Task TailPrintsTheLastLinesThenFollowsTheFileThroughRotation()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir, "--max-file-size", "64KiB", "--max-files", "20");
        await SendAsync(collector, [.. Enumerable.Range(0, 5).Select(i => Frame(TimeSpan.Zero, "shop", "web-1", "stdout", $"before {i}"))]);
        await collector.WaitForLinesAsync(5);

        var printed = new List<string>();
        await using var tail = ForegroundProcess.Start(
            CollectorProcess.Executable,
            ["tail", "{pod=~\"web-.*\"}", "--lines", "2", "--file", collector.FilePath],
            line =>
            {
                lock (printed)
                {
                    printed.Add(line);
                }
            });
        await Wait.UntilAsync(() => Printed(printed).Count >= 2, "the last two lines printed");

        // 1,200 lines of ~300 bytes in 12 batches: past 64 KiB several times, so the file rotates while the tail
        // follows it.
        var expected = new List<string> { Rendered("before 3"), Rendered("before 4") };
        for (int batch = 0; batch < 12; batch++)
        {
            var frames = new List<byte[]>();
            for (int i = 0; i < 100; i++)
            {
                int n = (batch * 100) + i;
                bool web = n % 3 != 0;
                string text = $"after {n:0000} {new string('x', 200)}";
                frames.Add(Frame(TimeSpan.Zero, "shop", web ? "web-1" : "db-1", "stdout", text));
                if (web)
                {
                    expected.Add(Rendered(text));
                }
            }

            await SendAsync(collector, [.. frames]);

            // One batch at a time: at most one rotation between two reads of the tail (docs: several within one
            // 200 ms poll are a known weakness).
            await Wait.UntilAsync(() => Printed(printed).Count >= expected.Count, $"batch {batch} printed", TimeSpan.FromSeconds(60));
        }

        await SendAsync(collector, Frame(TimeSpan.Zero, "shop", "web-1", "stdout", "sentinel"));
        expected.Add(Rendered("sentinel"));
        Assert.True(File.Exists(collector.FilePath + ".1"), "the file rotated");
        await Wait.UntilAsync(() => Printed(printed).LastOrDefault() == expected[^1], "the sentinel printed", TimeSpan.FromSeconds(60));

        Assert.Equal(expected, Printed(printed));
        var kill = await ProcessRunner.RunAsync("kill", ["-TERM", tail.Id.ToString(CultureInfo.InvariantCulture)]);
        Assert.Equal(0, kill.ExitCode);
        await tail.WaitForExitAsync();
        Assert.Equal(0, tail.ExitCode);
    }

    private static List<string> Printed(List<string> printed)
    {
        lock (printed)
        {
            return [.. printed];
        }
    }

    private static string Rendered(string text) => $"{Now} node-1 shop/web-1/web stdout: {text}";

    private static string Time(TimeSpan ago) =>
        (StartedAt + ago).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static byte[] Frame(TimeSpan ago, string ns, string pod, string stream, string text) =>
        Encoding.UTF8.GetBytes(
            $"<{(stream == "stderr" ? 11 : 14)}>1 {Time(ago)} node-1 web - {stream} " +
            $"[k8s@32473 namespace=\"{ns}\" pod=\"{pod}\" container=\"web\"] {text}");

    private static async Task SendAsync(RunningCollector collector, params byte[][] frames)
    {
        using var client = await collector.ConnectAsync();
        var stream = client.GetStream();
        foreach (var frame in frames)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"{frame.Length} "));
            await stream.WriteAsync(frame);
        }
    }
}
