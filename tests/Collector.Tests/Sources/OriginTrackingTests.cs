using TestSupport;
using static Collector.Tests.Sources.OriginClient;

namespace Collector.Tests.Sources;

/// <summary>
/// Re-sends dropped, gaps listed, hostile origins contained (docs/sources.md), over a real socket into a real file.
/// </summary>
public sealed class OriginTrackingTests
{
    [Fact]
    public async Task AReSentMessageIsDroppedAndCountedAndEveryOtherLineIsStoredOnceInOrder()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);

        var stored = await SendAndReadAsync(
            collector,
            Message("one", Origin(SourceA, 0, 10)),
            Message("two", Origin(SourceA, 10, 20)),
            Message("two again", Origin(SourceA, 10, 20)),
            Message("one again", Origin(SourceA, 0, 10)),
            Message("three", Origin(SourceA, 20, 30)),
            Message("b one", Origin(SourceB, 0, 10)));

        Assert.Equal(["one", "two", "three", "b one", stored[^1]], stored);
        Assert.Equal(2, await collector.MetricAsync("kubesyslog_collector_source_duplicates_total"));
        await WaitForLedgerAsync(collector, SourceA, 3);
        var a = await SourceAsync(collector, SourceA);
        Assert.Equal(
            (0, 30, 2, 0),
            (
                a.GetProperty("first").GetInt64(),
                a.GetProperty("last").GetInt64(),
                a.GetProperty("duplicates").GetInt64(),
                a.GetProperty("gaps").GetProperty("count").GetInt64()));
        Assert.Equal(
            ("node-7", "shop", "cart-1", "app"),
            (
                a.GetProperty("node").GetString(),
                a.GetProperty("namespace").GetString(),
                a.GetProperty("pod").GetString(),
                a.GetProperty("container").GetString()));
    }

    [Fact]
    public async Task AJumpPastWhatWasStoredIsStoredAndListedAsAGapWithItsRange()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);

        var stored = await SendAndReadAsync(
            collector,
            Message("first", Origin(SourceA, 0, 100).Replace("]", " f=\"/var/log/pods/shop_cart-1_u/app/0.log\"]", StringComparison.Ordinal)),
            Message("after the hole", Origin(SourceA, 250, 300)),
            Message("next", Origin(SourceA, 300, 310)));

        Assert.Equal(["first", "after the hole", "next", stored[^1]], stored);
        await WaitForLedgerAsync(collector, SourceA, 3);
        var a = await SourceAsync(collector, SourceA);
        var gaps = a.GetProperty("gaps");
        Assert.Equal((1, 150), (gaps.GetProperty("count").GetInt64(), gaps.GetProperty("bytes").GetInt64()));
        var range = Assert.Single(gaps.GetProperty("ranges").EnumerateArray());
        Assert.Equal((100, 250), (range.GetProperty("from").GetInt64(), range.GetProperty("to").GetInt64()));
        Assert.Equal("/var/log/pods/shop_cart-1_u/app/0.log", a.GetProperty("path").GetString());
        Assert.Equal(310, a.GetProperty("last").GetInt64());
        Assert.Equal(1, await collector.MetricAsync("kubesyslog_collector_source_gaps_total"));
        Assert.Equal(150, await collector.MetricAsync("kubesyslog_collector_source_gap_bytes_total"));
    }

    [Theory]
    [InlineData("[o@32473 s=\"00aa\" p=\"0-10\"]")]
    [InlineData("[o@32473 s=\"00000000000000AA\" p=\"0-10\"]")]
    [InlineData("[o@32473 s=\"00000000000000aa\" p=\"10\"]")]
    [InlineData("[o@32473 s=\"00000000000000aa\" p=\"20-10\"]")]
    [InlineData("[o@32473 s=\"00000000000000aa\" p=\"-5-10\"]")]
    [InlineData("[o@32473 s=\"00000000000000aa\" p=\"010-20\"]")]
    [InlineData("[o@32473 s=\"00000000000000aa\" p=\"0-99999999999999999999\"]")]
    [InlineData("[o@32473 s=\"00000000000000aa\"]")]
    [InlineData("[o@32473 p=\"0-10\"]")]
    public async Task AMalformedOriginIsStoredCountedAndIgnoredAsOrigin(string element)
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);

        // The same malformed message twice: without an origin, neither can be a re-send of the other.
        var stored = await SendAndReadAsync(collector, Message("bad", element), Message("bad", element), Message("good", Origin(SourceA, 0, 10)));

        Assert.Equal(["bad", "bad", "good", stored[^1]], stored);
        Assert.Equal(2, await collector.MetricAsync("kubesyslog_collector_source_malformed_origins_total"));
        Assert.Equal(0, await collector.MetricAsync("kubesyslog_collector_source_duplicates_total"));
        await WaitForLedgerAsync(collector, SourceA, 1);
        Assert.Equal(0, (await SourceAsync(collector, SourceA)).GetProperty("first").GetInt64());
    }

    [Fact]
    public async Task AForgedJumpOfAnotherSourceDoesNotMakeItsRealLinesDuplicates()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);

        // Any pod can connect and claim any source: a jump of more than 1 GiB in one message moves no mark.
        var stored = await SendAndReadAsync(
            collector,
            Message("real 1", Origin(SourceA, 0, 10)),
            Message("forged", Origin(SourceA, 10, 5_000_000_000)),
            Message("real 2", Origin(SourceA, 10, 20)),
            Message("real 3", Origin(SourceA, 20, 30)));

        Assert.Equal(["real 1", "forged", "real 2", "real 3", stored[^1]], stored);
        Assert.Equal(1, await collector.MetricAsync("kubesyslog_collector_source_rejected_origins_total"));
        Assert.Equal(0, await collector.MetricAsync("kubesyslog_collector_source_duplicates_total"));
        await WaitForLedgerAsync(collector, SourceA, 4);
        var a = await SourceAsync(collector, SourceA);
        Assert.Equal(
            (30, 0, 1),
            (
                a.GetProperty("last").GetInt64(),
                a.GetProperty("gaps").GetProperty("count").GetInt64(),
                a.GetProperty("rejected").GetInt64()));
    }

    [Fact]
    public async Task LinesWithoutAnOriginElementAreStoredAsBeforeEvenWhenTheirTextLooksLikeOne()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);
        string lookalike = Origin(SourceA, 0, 10);
        string escaped = lookalike
            .Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("]", "\\]", StringComparison.Ordinal);

        var stored = await SendAndReadAsync(
            collector,
            "<13>Nov 22 10:00:00 host1 logger: plain 3164",
            "<13>Nov 22 10:00:00 host1 logger: plain 3164",
            $"<14>1 2026-11-22T10:00:00Z node-7 app - - - in the message {lookalike}",
            $"<14>1 2026-11-22T10:00:00Z node-7 app - - - in the message {lookalike}",
            $"<14>1 2026-11-22T10:00:00Z node-7 app - - [x@1 v=\"{escaped}\"] in a value",
            $"<14>1 2026-11-22T10:00:00Z node-7 app - - [x@1 v=\"{escaped}\"] in a value");

        Assert.Equal(7, stored.Count);
        Assert.Equal(2, stored.Count(l => l.EndsWith("plain 3164", StringComparison.Ordinal)));
        Assert.Equal(2, stored.Count(l => l.EndsWith($"in the message {lookalike}", StringComparison.Ordinal)));
        Assert.Equal(2, stored.Count(l => l.EndsWith("in a value", StringComparison.Ordinal)));
        Assert.Equal(0, await collector.MetricAsync("kubesyslog_collector_source_duplicates_total"));
        Assert.Equal(0, await collector.MetricAsync("kubesyslog_collector_source_malformed_origins_total"));
        await Task.Delay(1500); // the ledger reads the file once a second: give it the chance to (wrongly) find a source
        Assert.Equal(0, (await SourcesAsync(collector)).GetProperty("sources").GetArrayLength());
    }

    [Fact]
    public async Task AfterARestartTheMarksAreRebuiltFromTheFileAndReSendsAreStillDropped()
    {
        using var dir = TempDirectory.Create();
        string state = dir.Combine("sources.json");
        await using (var first = await RunningCollector.StartAsync(dir))
        {
            await SendAndReadAsync(
                first,
                Message("one", Origin(SourceA, 0, 10)),
                Message("two", Origin(SourceA, 10, 20)),
                Message("b", Origin(SourceB, 0, 5)));
        }

        // What the save at start-up leaves for an empty file, as a crash before any later save would leave it: the
        // marks must come back from the lines in the file.
        File.WriteAllText(
            state,
            """{"version":1,"position":{"head":"","offset":0},"gaps":0,"gapBytes":0,"duplicates":0,"malformed":0,"""
            + "\"rejected\":0,\"sources\":[]}");
        await using var second = await RunningCollector.StartAsync(dir);
        var stored = await SendAndReadAsync(
            second,
            Message("one again", Origin(SourceA, 0, 10)),
            Message("two again", Origin(SourceA, 10, 20)),
            Message("b again", Origin(SourceB, 0, 5)),
            Message("three", Origin(SourceA, 20, 30)));

        Assert.Equal(["one", "two", "b", "three"], stored.Where(l => !l.StartsWith("sentinel", StringComparison.Ordinal)));
        Assert.Equal(3, await second.MetricAsync("kubesyslog_collector_source_duplicates_total"));
        await WaitForLedgerAsync(second, SourceA, 3);
        Assert.Equal(30, (await SourceAsync(second, SourceA)).GetProperty("last").GetInt64());
    }

    [Fact]
    public async Task TheMarksFollowTheMessagesFileThroughItsRotation()
    {
        using var dir = TempDirectory.Create();
        string[] args = ["--max-file-size", "4KiB"];
        var first = Enumerable.Range(0, 100).Select(i => Message($"line {i:D3}", Origin(SourceA, i * 10, (i + 1) * 10))).ToArray();
        await using (var collector = await RunningCollector.StartAsync(dir, args))
        {
            // One chunk per connection, and the writer rotates between chunks.
            foreach (var batch in first.Chunk(10))
            {
                await SendAsync(collector, batch);
            }

            await SendAndReadAsync(collector);
            await WaitForLedgerAsync(collector, SourceA, 100);
        }

        Assert.True(File.Exists(dir.Combine("messages.1")), "the test needs a rotation");
        await using var again = await RunningCollector.StartAsync(dir, args);
        await SendAndReadAsync(again, [.. first, Message("line 100", Origin(SourceA, 1000, 1010))]);

        Assert.Equal(100, await again.MetricAsync("kubesyslog_collector_source_duplicates_total"));
        var recent = RunningCollector.ReadLines(dir.Combine("messages.1")).Concat(again.ReadLines()).Select(Text).ToList();
        Assert.Single(recent, l => l == "line 100");
        Assert.Equal(
            recent.Where(l => l.StartsWith("line", StringComparison.Ordinal)).Distinct().Count(),
            recent.Count(l => l.StartsWith("line", StringComparison.Ordinal)));
    }
}
